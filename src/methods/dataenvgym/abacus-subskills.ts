import type { AbacusSkill, AbacusTask } from "../../testbed/abacus/abacus-skills.ts";
import { type Notation, readNumber } from "../../testbed/abacus/digits.ts";

/**
 * A named subskill of an Abacus skill: which generated tasks belong to it. Tasks are read in the
 * notation of their world (carries depend on which digit is the units digit).
 */
export interface AbacusSubskill {
  name: string;
  has: (task: AbacusTask, notation: Notation) => boolean;
}

/**
 * The two operands of an add/sub question, in question order ("2 9 2 plus 5 7" -> [292, 57]
 * msb-first, [292, 75] lsb-first).
 */
const operands = (t: AbacusTask, notation: Notation): [number, number] => {
  const [a, b] = [...t.question.matchAll(/\d(?: \d)*/g)].map((m) => readNumber(m[0], notation));
  return [a!, b!];
};
/** The digit list of a list question ("4 , 7 , 1" -> [4, 7, 1]). */
const list = (t: AbacusTask): number[] =>
  (/\d(?: , \d)+/.exec(t.question)?.[0] ?? "").split(" , ").filter(Boolean).map(Number);

/**
 * Sub's minuend and subtrahend: the larger operand and the smaller (the world never writes a
 * negative answer), whatever the wording's order ("take {b} away from {a}" names b first).
 */
const minuendFirst = ([a, b]: [number, number]): [number, number] => (a >= b ? [a, b] : [b, a]);

/** Column carries of a + b (or borrows of a - b). */
function carries(a: number, b: number, subtract: boolean): number {
  let n = 0;
  let carry = 0;
  for (; a > 0 || b > 0; a = Math.floor(a / 10), b = Math.floor(b / 10)) {
    const x = a % 10;
    const y = (b % 10) + carry;
    carry = subtract ? (x < y ? 1 : 0) : x + y >= 10 ? 1 : 0;
    n += carry;
  }
  return n;
}

const chainSteps = (t: AbacusTask) => (t.solution.match(/\bstep\b/g) ?? []).length;
const chainLines = (t: AbacusTask) => (t.question.match(/ = /g) ?? []).length;

/**
 * The Abacus world's subskills, easiest first: what a skill-tree teacher explores and what the
 * open-ended world engine keeps when it perturbs an error (a new problem of the error's
 * subskill). Carries and borrows for arithmetic, lengths for lists, sizes for chains and programs.
 */
export const abacusSubskills: Record<AbacusSkill, readonly AbacusSubskill[]> = {
  add: [
    { name: "no carry", has: (t, n) => carries(...operands(t, n), false) === 0 },
    { name: "one carry", has: (t, n) => carries(...operands(t, n), false) === 1 },
    { name: "several carries", has: (t, n) => carries(...operands(t, n), false) >= 2 },
  ],
  sub: [
    { name: "no borrow", has: (t, n) => carries(...minuendFirst(operands(t, n)), true) === 0 },
    { name: "one borrow", has: (t, n) => carries(...minuendFirst(operands(t, n)), true) === 1 },
    { name: "several borrows", has: (t, n) => carries(...minuendFirst(operands(t, n)), true) >= 2 },
  ],
  max: [
    { name: "short list", has: (t) => list(t).length <= 4 },
    { name: "long list", has: (t) => list(t).length >= 5 },
    {
      name: "tied maximum",
      has: (t) => list(t).filter((x) => x === Math.max(...list(t))).length > 1,
    },
  ],
  sort: [
    { name: "distinct digits", has: (t) => new Set(list(t)).size === list(t).length },
    { name: "repeated digits", has: (t) => new Set(list(t)).size < list(t).length },
  ],
  reverse: [
    { name: "short list", has: (t) => list(t).length <= 4 },
    { name: "long list", has: (t) => list(t).length >= 5 },
  ],
  count: [
    { name: "digit absent", has: (t) => t.answer === "0" },
    { name: "digit once", has: (t) => t.answer === "1" },
    { name: "digit several times", has: (t, n) => readNumber(t.answer, n) >= 2 },
  ],
  chain: [
    { name: "short chain", has: (t) => chainSteps(t) <= 3 },
    { name: "medium chain", has: (t) => chainSteps(t) >= 4 && chainSteps(t) <= 5 },
    { name: "long chain", has: (t) => chainSteps(t) >= 6 },
    { name: "with distractors", has: (t) => chainLines(t) > chainSteps(t) },
  ],
  prog: [
    { name: "short program", has: (t) => t.difficulty <= 2 },
    { name: "long program", has: (t) => t.difficulty >= 3 },
  ],
};

/**
 * The first subskill `task` (written in `notation`) belongs to (every task has one: each list
 * covers its skill).
 */
export function subskillOf(task: AbacusTask, notation: Notation): string {
  const found = abacusSubskills[task.skill].find((s) => s.has(task, notation));
  return found?.name ?? abacusSubskills[task.skill][0]!.name;
}
