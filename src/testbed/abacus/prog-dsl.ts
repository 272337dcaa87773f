import type { SeededRandom } from "../../math/seeded-random.ts";
import { digitList, type Notation, numberWords } from "./digits.ts";

/**
 * The prog skill's list DSL: a pipeline of list operations over small non-negative integers,
 * e.g. `map(+3)|keep(even)|sort|take(2)`. It is the executable ground truth of prog tasks (and of
 * UTGen's buggy variants later): `runProgram` is its interpreter.
 */
export type ProgOp =
  | { op: "add"; k: number }
  | { op: "double" }
  | { op: "keep"; parity: "even" | "odd" }
  | { op: "sort" }
  | { op: "reverse" }
  | { op: "take"; k: number };

/** Applies one operation. */
export function applyOp(op: ProgOp, list: readonly number[]): number[] {
  switch (op.op) {
    case "add":
      return list.map((x) => x + op.k);
    case "double":
      return list.map((x) => x * 2);
    case "keep":
      return list.filter((x) => (x % 2 === 0) === (op.parity === "even"));
    case "sort":
      return [...list].sort((a, b) => a - b);
    case "reverse":
      return [...list].reverse();
    case "take":
      return list.slice(0, op.k);
  }
}

/** Runs a program, returning the list after every operation (the trace; its last entry is the output). */
export function runProgram(program: readonly ProgOp[], input: readonly number[]): number[][] {
  const trace: number[][] = [];
  let list = [...input];
  for (const op of program) {
    list = applyOp(op, list);
    trace.push(list);
  }
  return trace;
}

/** The program as code, spaced into words: `map ( + 3 ) | keep ( even ) | sort | take ( 2 )`. */
export function programCode(program: readonly ProgOp[]): string {
  return program.map(opCode).join(" | ");
}

function opCode(op: ProgOp): string {
  switch (op.op) {
    case "add":
      return `map ( + ${op.k} )`;
    case "double":
      return "map ( * 2 )";
    case "keep":
      return `keep ( ${op.parity} )`;
    case "sort":
      return "sort";
    case "reverse":
      return "reverse";
    case "take":
      return `take ( ${op.k} )`;
  }
}

/**
 * The program as an NL-ish spec, e.g. `plus three each , keep even ones , smallest first , take two`:
 * paraphrases only, never the DSL's or the skills' names (the design's rule for questions).
 */
export function programSpec(program: readonly ProgOp[], rng: SeededRandom): string {
  return program.map((op) => opSpecs(op)[rng.int(2)]!).join(" , ");
}

/** Two wordings of each operation. */
function opSpecs(op: ProgOp): [string, string] {
  switch (op.op) {
    case "add":
      return [`plus ${numberWords[op.k]} each`, `increase each by ${numberWords[op.k]}`];
    case "double":
      return ["double each", "times two each"];
    case "keep":
      return [`keep ${op.parity} ones`, `only the ${op.parity} ones`];
    case "sort":
      return ["in order", "smallest first"];
    case "reverse":
      return ["backwards", "last to first"];
    case "take":
      return [`take ${numberWords[op.k]}`, `first ${numberWords[op.k]} only`];
  }
}

/** A random program of 1–`maxOps` operations. */
export function randomProgram(rng: SeededRandom, maxOps: number): ProgOp[] {
  const ops: ProgOp[] = [];
  const count = 1 + rng.int(maxOps);
  for (let i = 0; i < count; i++) {
    const kind = rng.int(6);
    if (kind === 0) ops.push({ op: "add", k: 1 + rng.int(5) });
    else if (kind === 1) ops.push({ op: "double" });
    else if (kind === 2) ops.push({ op: "keep", parity: rng.next() < 0.5 ? "even" : "odd" });
    else if (kind === 3) ops.push({ op: "sort" });
    else if (kind === 4) ops.push({ op: "reverse" });
    else ops.push({ op: "take", k: 1 + rng.int(4) });
  }
  return ops;
}

/**
 * `code : … . trace : … ; … . output : … .` — the rationale and answer of a prog task, its lists
 * in `notation` (map(*2) and map(+k) make 2-digit values). The code's constants are single digits.
 */
export function programRationale(
  program: readonly ProgOp[],
  input: readonly number[],
  notation: Notation = "msb-first",
): string {
  const trace = runProgram(program, input);
  const list = (values: readonly number[]) => digitList(values, notation);
  return `code : ${programCode(program)} . trace : ${trace.map(list).join(" ; ")} . output : ${list(trace.at(-1) ?? [...input])} .`;
}

/**
 * Reads code as `programCode` writes it (`map ( + 3 ) | keep ( even ) | sort`), spaces optional;
 * undefined when any operation is not one of the DSL's (the constant of `map (+k)` and `take (k)`
 * is a single digit, as in the corpus).
 */
export function parseProgram(code: string): ProgOp[] | undefined {
  const parts = code.split("|").map((p) => p.replace(/\s+/g, ""));
  const ops: ProgOp[] = [];
  for (const part of parts) {
    const op = parseOp(part);
    if (!op) return undefined;
    ops.push(op);
  }
  return ops;
}

function parseOp(text: string): ProgOp | undefined {
  if (text === "sort" || text === "reverse") return { op: text };
  if (text === "map(*2)") return { op: "double" };
  const add = /^map\(\+(\d)\)$/.exec(text);
  if (add) return { op: "add", k: Number(add[1]) };
  const keep = /^keep\((even|odd)\)$/.exec(text);
  if (keep) return { op: "keep", parity: keep[1] as "even" | "odd" };
  const take = /^take\((\d)\)$/.exec(text);
  if (take) return { op: "take", k: Number(take[1]) };
  return undefined;
}
