import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { ChorusError, ConfigError } from "../../model/errors.ts";
import { runSandboxed } from "../../sandbox/sandbox.ts";
import type { SandboxResult } from "../../sandbox/sandbox-result.ts";
import { pythonImportHeader } from "./python-header.ts";
import type {
  IntrinsicVerdict,
  ParsedInput,
  ParsedLiteral,
  Revealed,
  TestVerdict,
  UnitTest,
  UnitTestHarness,
} from "./unit-test-harness.ts";

export type {
  IntrinsicVerdict,
  ParsedInput,
  ParsedLiteral,
  Revealed,
  TestVerdict,
  UnitTest,
  UnitTestHarness,
} from "./unit-test-harness.ts";

const harnessCode = {
  python: readFileSync(new URL("./ut-harness.py", import.meta.url), "utf8"),
  js: readFileSync(new URL("./ut-harness-node.js", import.meta.url), "utf8"),
};

/** A single-site mutation of a program. */
export interface Mutant {
  code: string;
  kind: string;
  /** From the faulty code's side, e.g. "`<=` is used where `<` is needed". */
  description: string;
  line: number;
}

/** Limits for executing candidate code (spec 3.6 defaults). */
export interface HarnessLimits {
  /** Per call of the function under test (default 2 s). */
  perTestTimeoutS: number;
  /** Gold-code validity limit for intrinsic metrics (default 1 s). */
  validityTimeoutS: number;
  /** Cap for a whole harness run (default 60 s). */
  taskTimeoutS: number;
  /** Memory for the harness process (default 512 MiB; see docs for the deviation from 256). */
  memoryMb: number;
}

export const defaultHarnessLimits: HarnessLimits = {
  perTestTimeoutS: 2,
  validityTimeoutS: 1,
  taskTimeoutS: 60,
  memoryMb: 512,
};

/** Error raised when the harness itself cannot answer (not when the tested code fails). */
export class HarnessError extends ChorusError {
  override name = "HarnessError";
}

/**
 * Runs literal parsing and unit tests in the sandbox, with the task language's semantics: for
 * Python (the spec's language) tuples vs lists, sets, float tolerance, big ints; for JavaScript
 * (ut-harness-node.js) structural equality of arrays and plain objects with float tolerance.
 * Intrinsic metrics and training-data ops are Python only.
 */
export class UtHarness implements UnitTestHarness {
  readonly limits: HarnessLimits;

  constructor(
    limits: Partial<HarnessLimits> = {},
    readonly language: "python" | "js" = "python",
  ) {
    this.limits = { ...defaultHarnessLimits, ...limits };
  }

  /** Parses each text as the arguments of a call; `key` identifies equal argument lists. */
  async inputs(texts: readonly string[]): Promise<ParsedInput[]> {
    if (texts.length === 0) return [];
    const { value } = await this.#call({ op: "inputs", texts }, 30);
    return value as ParsedInput[];
  }

  /** `inputs` and `literals` in one sandbox run. */
  async parse(
    inputs: readonly string[],
    literals: readonly string[],
  ): Promise<{ inputs: ParsedInput[]; literals: ParsedLiteral[] }> {
    if (inputs.length === 0 && literals.length === 0) return { inputs: [], literals: [] };
    const { value } = await this.#call({ op: "parse", inputs, literals }, 30);
    return value as { inputs: ParsedInput[]; literals: ParsedLiteral[] };
  }

  /** Parses each text as a Python literal. */
  async literals(texts: readonly string[]): Promise<ParsedLiteral[]> {
    if (texts.length === 0) return [];
    const { value } = await this.#call({ op: "literals", texts }, 30);
    return value as ParsedLiteral[];
  }

  /**
   * Runs `code`'s `entryPoint` on each test. Code that does not define the function fails every
   * test; a crash or limit of the whole run fails every test with the reason as `actual`.
   */
  async run(
    code: string,
    entryPoint: string,
    tests: readonly UnitTest[],
    options: { setCompare?: boolean } = {},
  ): Promise<TestVerdict[]> {
    if (tests.length === 0) return [];
    const answer = await this.#call(
      {
        op: "run",
        code,
        entryPoint,
        tests,
        timeoutS: this.limits.perTestTimeoutS,
        setCompare: options.setCompare ?? false,
      },
      Math.min(this.limits.taskTimeoutS, 5 + tests.length * (this.limits.perTestTimeoutS + 0.5)),
      true,
    );
    if (!answer.ok)
      return tests.map(() => ({
        verdict: answer.timedOut ? "timeout" : "error",
        actual: `Error: ${answer.error}`,
      }));
    return (answer.value as { results: TestVerdict[] }).results;
  }

  /** Validity, attack and output correctness of each test against gold and buggy code. */
  async intrinsic(
    gold: string,
    buggy: string,
    entryPoint: string,
    tests: readonly UnitTest[],
    options: { setCompare?: boolean } = {},
  ): Promise<IntrinsicVerdict[]> {
    if (tests.length === 0) return [];
    const { value } = await this.#call(
      {
        op: "intrinsic",
        gold,
        buggy,
        entryPoint,
        tests,
        timeoutS: this.limits.perTestTimeoutS,
        validityTimeoutS: this.limits.validityTimeoutS,
        setCompare: options.setCompare ?? false,
      },
      this.limits.taskTimeoutS,
    );
    return value as IntrinsicVerdict[];
  }

  /** Deterministic single-site mutants of `code` (operator swaps, off-by-one, constants, flips). */
  async mutants(code: string, limit: number): Promise<Mutant[]> {
    const { value } = await this.#call({ op: "mutants", code, limit }, 30);
    return value as Mutant[];
  }

  /** For each input: whether gold runs on it, and whether `buggy` returns something else. */
  async reveal(
    gold: string,
    buggy: string,
    entryPoint: string,
    inputs: readonly string[],
    options: { setCompare?: boolean } = {},
  ): Promise<Revealed[]> {
    if (inputs.length === 0) return [];
    const { value } = await this.#call(
      {
        op: "reveal",
        gold,
        buggy,
        entryPoint,
        inputs,
        timeoutS: this.limits.perTestTimeoutS,
        setCompare: options.setCompare ?? false,
      },
      this.limits.taskTimeoutS,
    );
    return value as Revealed[];
  }

  async #call(
    request: Record<string, unknown>,
    timeoutS: number,
    tolerant = false,
  ): Promise<{ ok: boolean; value?: unknown; error?: string; timedOut?: boolean }> {
    if (
      this.language === "js" &&
      !["inputs", "literals", "parse", "run"].includes(String(request["op"]))
    )
      throw new ConfigError(
        `the unit-test harness op "${String(request["op"])}" is Python only (intrinsic metrics, mutations); use a Python task`,
      );
    const marker = `<<chorus-ut-${randomUUID()}>>`;
    const result = await runSandboxed({
      lang: this.language,
      code: harnessCode[this.language],
      stdin: JSON.stringify({ ...request, marker, header: pythonImportHeader }),
      timeoutMs: timeoutS * 1000,
      memoryMb: this.limits.memoryMb,
      outputLimitBytes: 4 * 1024 * 1024,
    });
    const answer = readAnswer(result, marker);
    if (answer?.ok) return { ok: true, value: answer.value };
    const error = answer?.error ?? describe(result);
    if (tolerant) return { ok: false, error, timedOut: result.status === "timeout" };
    throw new HarnessError(`unit-test harness failed: ${error}`);
  }
}

/**
 * The sandbox harness for a task's language.
 * @throws ConfigError for a language the sandbox harness does not know (pass your own harness).
 */
export function sandboxHarness(language: string, limits: Partial<HarnessLimits> = {}): UtHarness {
  if (language !== "python" && language !== "js")
    throw new ConfigError(
      `the sandbox unit-test harness runs python and js code, not "${language}"; pass a harness for it (utDebug's options.harness)`,
    );
  return new UtHarness(limits, language);
}

function readAnswer(
  result: SandboxResult,
  marker: string,
): { ok: boolean; value?: unknown; error?: string } | undefined {
  const at = result.stdout.lastIndexOf(`\n${marker}\n`);
  if (at < 0) return undefined;
  const line = result.stdout.slice(at + marker.length + 2).split("\n")[0] ?? "";
  try {
    return JSON.parse(line) as { ok: boolean; value?: unknown; error?: string };
  } catch {
    return undefined;
  }
}

function describe(result: SandboxResult): string {
  const tail = result.stderr.trim().split("\n").slice(-1)[0] ?? "";
  return `${result.status} (${result.reason})${tail ? `: ${tail}` : ""}`;
}
