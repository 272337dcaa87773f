/**
 * What UTGen and UTDebug need from the code's language: parse unit-test text, run code on tests,
 * compare against a gold solution. The sandbox harness (ut-harness.ts: Python, JavaScript) is one
 * implementation; a task language with its own interpreter plugs in another (utDebug's
 * `options.harness`), without touching the method.
 */

/** A unit test as literal text of the task's language: `input` is what goes inside `f(...)`. */
export interface UnitTest {
  input: string;
  output: string;
}

/** One test's outcome; `actual` is the repr of the returned value, or "Error: ..."/"Timeout: ...". */
export interface TestVerdict {
  verdict: "pass" | "fail" | "error" | "timeout";
  actual: string;
}

/** A literal as the harness parsed it: its `str` and `repr` (Python's), or why it is not one. */
export interface ParsedLiteral {
  ok: boolean;
  str: string;
  repr: string;
  error: string;
}

/** Call arguments as the harness parsed them: `key` identifies equal argument lists. */
export interface ParsedInput {
  ok: boolean;
  key: string;
  error: string;
}

/** Intrinsic-metric facts for one unit test (spec 3.7). */
export interface IntrinsicVerdict {
  valid: boolean;
  attack: boolean;
  outputCorrect: boolean;
}

/** Whether an input is valid for the gold code and reveals the mutant; outputs as repr. */
export interface Revealed {
  valid: boolean;
  revealing: boolean;
  goldOutput: string;
  buggyOutput: string;
}

/** The harness operations the method calls (the sandbox's mutation op is Python training only). */
export interface UnitTestHarness {
  /** Parses each text as the arguments of a call (`key` identifies equal argument lists), and each literal. */
  parse(
    inputs: readonly string[],
    literals: readonly string[],
  ): Promise<{ inputs: ParsedInput[]; literals: ParsedLiteral[] }>;
  /** Parses each text as an output literal. */
  literals(texts: readonly string[]): Promise<ParsedLiteral[]>;
  /** Runs `code`'s `entryPoint` on each test; code that does not run fails every test. */
  run(
    code: string,
    entryPoint: string,
    tests: readonly UnitTest[],
    options?: { setCompare?: boolean },
  ): Promise<TestVerdict[]>;
  /** For each input: whether gold runs on it, and whether `buggy` returns something else. */
  reveal(
    gold: string,
    buggy: string,
    entryPoint: string,
    inputs: readonly string[],
    options?: { setCompare?: boolean },
  ): Promise<Revealed[]>;
  /** Validity, attack and output correctness of each test against gold and buggy code. */
  intrinsic(
    gold: string,
    buggy: string,
    entryPoint: string,
    tests: readonly UnitTest[],
    options?: { setCompare?: boolean },
  ): Promise<IntrinsicVerdict[]>;
}
