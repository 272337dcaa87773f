import type {
  IntrinsicVerdict,
  ParsedInput,
  ParsedLiteral,
  Revealed,
  TestVerdict,
  UnitTest,
  UnitTestHarness,
} from "../../methods/utgen/unit-test-harness.ts";
import { digitList, type Notation, readList } from "../abacus/digits.ts";
import { type ProgOp, parseProgram, runProgram } from "../abacus/prog-dsl.ts";

/**
 * UTGen's unit-test harness for Abacus prog code (the design's substitute for Python): code is a
 * DSL pipeline run by `runProgram`, inputs and outputs are lists as the world writes them
 * ("3 , 1 2", "empty"). A valid input is 1–8 single digits, the prog tasks' domain. Nothing is
 * sandboxed: the interpreter cannot loop or touch the machine.
 */
export class ProgHarness implements UnitTestHarness {
  constructor(readonly notation: Notation = "msb-first") {}

  /** The input list, or why it is not a valid input. */
  readInput(text: string): number[] | string {
    const list = readList(text, this.notation);
    if (!list) return `not a list of numbers: "${text}"`;
    if (list.length < 1 || list.length > 8) return `inputs hold 1 to 8 numbers, got ${list.length}`;
    if (!list.every((x) => x <= 9)) return "inputs hold single digits";
    return list;
  }

  #output(program: readonly ProgOp[], input: readonly number[]): string {
    return digitList(runProgram(program, input).at(-1) ?? [...input], this.notation);
  }

  #literal(text: string): ParsedLiteral {
    const list = readList(text, this.notation);
    if (!list) return { ok: false, str: "", repr: "", error: `not a list: "${text}"` };
    const written = digitList(list, this.notation);
    return { ok: true, str: written, repr: written, error: "" };
  }

  #input(text: string): ParsedInput {
    const list = this.readInput(text);
    return typeof list === "string"
      ? { ok: false, key: "", error: list }
      : { ok: true, key: digitList(list, this.notation), error: "" };
  }

  async parse(
    inputs: readonly string[],
    literals: readonly string[],
  ): Promise<{ inputs: ParsedInput[]; literals: ParsedLiteral[] }> {
    return {
      inputs: inputs.map((t) => this.#input(t)),
      literals: literals.map((t) => this.#literal(t)),
    };
  }

  async literals(texts: readonly string[]): Promise<ParsedLiteral[]> {
    return texts.map((t) => this.#literal(t));
  }

  async run(code: string, _entryPoint: string, tests: readonly UnitTest[]): Promise<TestVerdict[]> {
    const program = parseProgram(code);
    return tests.map((test): TestVerdict => {
      if (!program) return { verdict: "error", actual: "error" };
      const input = this.readInput(test.input);
      if (typeof input === "string") return { verdict: "error", actual: "error" };
      const actual = this.#output(program, input);
      const expected = this.#literal(test.output);
      return { verdict: expected.ok && expected.repr === actual ? "pass" : "fail", actual };
    });
  }

  async reveal(
    gold: string,
    buggy: string,
    _entryPoint: string,
    inputs: readonly string[],
  ): Promise<Revealed[]> {
    const g = parseProgram(gold);
    const b = parseProgram(buggy);
    return inputs.map((text) => {
      const input = this.readInput(text);
      if (!g || typeof input === "string")
        return { valid: false, revealing: false, goldOutput: "", buggyOutput: "" };
      const goldOutput = this.#output(g, input);
      const buggyOutput = b ? this.#output(b, input) : "error";
      return { valid: true, revealing: goldOutput !== buggyOutput, goldOutput, buggyOutput };
    });
  }

  async intrinsic(
    gold: string,
    buggy: string,
    entryPoint: string,
    tests: readonly UnitTest[],
  ): Promise<IntrinsicVerdict[]> {
    const revealed = await this.reveal(
      gold,
      buggy,
      entryPoint,
      tests.map((t) => t.input),
    );
    return tests.map((test, i) => {
      const r = revealed[i]!;
      const output = this.#literal(test.output);
      return {
        valid: r.valid,
        attack: r.valid && r.revealing,
        outputCorrect: r.valid && output.ok && output.repr === r.goldOutput,
      };
    });
  }
}
