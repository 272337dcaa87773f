import type { UnitTest } from "./ut-harness.ts";

/** One code-debugging task: a described function, buggy code to fix, and hidden tests. */
export interface DebugTask {
  id: string;
  /** Natural-language task description (shown in the unit-test prompts). */
  description: string;
  /**
   * The code-generation prompt the buggy code answers: for HumanEval the function header and
   * docstring, for MBPP the description plus its first example assert.
   */
  codePrompt: string;
  /** e.g. `total(xs: list[int]) -> int`. */
  signature: string;
  entryPoint: string;
  /** The code to debug (a whole program defining `entryPoint`). */
  buggyCode: string;
  /** Reference solution: used only for intrinsic metrics and logging, never by UTDebug itself. */
  goldCode?: string;
  /**
   * Hidden tests: Python appended after the candidate code; the candidate passes when the
   * program exits 0.
   */
  hiddenTest: string;
  /**
   * Language of the code and hidden tests. "python" and "js" run in the sandbox harness
   * (ut-harness.ts); any other language needs its own harness passed to the method
   * (`options.harness`).
   */
  language: string;
  /** Unit tests stated in the prompt (docstring examples), for the example-tests baseline. */
  exampleTests?: UnitTest[];
  /** The hidden tests compare outputs as sets (spec 3.6: their text uses `set(`). */
  setCompare?: boolean;
}
