import { ConfigError } from "../../model/errors.ts";
import { runSandboxed } from "../../sandbox/sandbox.ts";
import type { SandboxStatus } from "../../sandbox/sandbox-result.ts";
import type { DebugTask } from "./debug-task.ts";
import { pythonImportHeader } from "./python-header.ts";

/**
 * HumanEvalPack's JS tests use console.assert, which only logs; make a failed assertion throw so
 * the program exits non-zero.
 */
const jsAssertPrelude = `console.assert = (condition, ...message) => {
  if (!condition) throw new Error("Assertion failed" + (message.length ? ": " + message.join(" ") : ""));
};
`;

/** The program that runs `code` against the task's hidden tests. */
export function hiddenTestProgram(
  task: Pick<DebugTask, "language" | "hiddenTest">,
  code: string,
): string {
  if (task.language === "js") return `${jsAssertPrelude}\n${code}\n\n${task.hiddenTest}\n`;
  return `${pythonImportHeader}\n${code}\n\n${task.hiddenTest}\n`;
}

/** Outcome of the hidden tests: all pass, or the sandbox status and reason. */
export interface HiddenTestOutcome {
  pass: boolean;
  status: SandboxStatus;
  reason: string;
}

/** Runs the hidden tests on `code` (all must pass: pass@1 for this code). */
export async function runHiddenTests(
  task: Pick<DebugTask, "language" | "hiddenTest">,
  code: string,
  options: { timeoutMs?: number; memoryMb?: number } = {},
): Promise<HiddenTestOutcome> {
  if (task.language !== "python" && task.language !== "js")
    throw new ConfigError(
      `hidden tests run in the sandbox for python and js tasks, not "${task.language}"; score other languages with their own interpreter`,
    );
  const result = await runSandboxed({
    lang: task.language,
    code: hiddenTestProgram(task, code),
    timeoutMs: options.timeoutMs ?? 30_000,
    memoryMb: options.memoryMb ?? 1024,
  });
  const tail = result.stderr.trim().split("\n").at(-1) ?? "";
  return {
    pass: result.status === "pass",
    status: result.status,
    reason:
      result.status === "pass"
        ? "all hidden tests pass"
        : `${result.reason}${tail ? `: ${tail.slice(0, 300)}` : ""}`,
  };
}
