import { readFileSync } from "node:fs";
import { requireMirrorFile } from "../../evals/datasets/mirror-file.ts";
import { DataError } from "../../model/errors.ts";
import { runSandboxed } from "../../sandbox/sandbox.ts";
import { extractCode } from "../utgen/parse-unit-test.ts";
import type { Task, TaskInstance } from "./types.ts";

/** An MBPP-style problem: a description, assert tests, and (for the teacher) a reference. */
export interface CodeProblem {
  id: string;
  prompt: string;
  tests: string[];
  imports?: string[];
  solution?: string;
}

const fence = (code: string) => `\`\`\`python\n${code.trimEnd()}\n\`\`\``;

/** MBPP's instruction: the description and the first test, which names the function. */
export const codeInstruction = (p: Pick<CodeProblem, "prompt" | "tests">): string =>
  `${p.prompt.trim()} Your code should pass this test:\n${p.tests[0] ?? ""}`;

/**
 * A code task scored by pass@1 in the sandbox: the response's first Python block, then the
 * problem's imports and asserts, must run to the end. Generated data teach fenced solutions.
 */
export class CodeTask implements Task {
  readonly instances: TaskInstance[];

  constructor(
    readonly name: string,
    problems: readonly CodeProblem[],
    private readonly limits: { timeoutMs?: number; memoryMb?: number } = {},
  ) {
    this.instances = problems.map((p) => ({
      taskName: name,
      id: p.id,
      instruction: codeInstruction(p),
      gold: "",
      meta: { tests: p.tests, imports: p.imports ?? [], solution: p.solution ?? "" },
    }));
  }

  async score(instance: TaskInstance, response: string): Promise<boolean> {
    const code = this.answerOf(response);
    if (code === undefined) return false;
    const meta = instance.meta ?? {};
    const program = [
      ...((meta["imports"] as string[] | undefined) ?? []),
      code,
      ...((meta["tests"] as string[] | undefined) ?? []),
    ].join("\n");
    const result = await runSandboxed({
      lang: "python",
      code: program,
      timeoutMs: this.limits.timeoutMs ?? 10_000,
      memoryMb: this.limits.memoryMb ?? 512,
    });
    return result.status === "pass";
  }

  target(answer: string): string {
    return fence(answer);
  }

  answerOf(response: string): string | undefined {
    const code = extractCode(response);
    return /\bdef\s+\w+\s*\(/.test(code) ? code : undefined;
  }

  reference(instance: TaskInstance): string {
    return fence(String(instance.meta?.["solution"] ?? ""));
  }
}

/** MBPP sanitized (../shared/datasets/mbpp_sanitized), the `task_id`s in `[from, to)`. */
export function mbppProblems(from = 0, to = Number.POSITIVE_INFINITY): CodeProblem[] {
  const path = requireMirrorFile("mbpp_sanitized/sanitized-mbpp.json");
  const rows = JSON.parse(readFileSync(path, "utf8")) as Array<Record<string, unknown>>;
  if (!Array.isArray(rows))
    throw new DataError("expected a JSON array of MBPP rows", { file: path });
  return rows.slice(from, to).map((r) => ({
    id: `mbpp-${String(r["task_id"])}`,
    prompt: String(r["prompt"]),
    tests: r["test_list"] as string[],
    imports: (r["test_imports"] as string[] | undefined) ?? [],
    solution: String(r["code"]),
  }));
}
