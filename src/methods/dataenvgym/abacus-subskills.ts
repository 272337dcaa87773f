import type { AbacusSkill, AbacusTask } from "../../testbed/abacus/abacus-skills.ts";

/** A named subskill of an Abacus skill: which generated tasks belong to it. */
export interface AbacusSubskill {
  name: string;
  has: (task: AbacusTask) => boolean;
}

/** The two operands of an add/sub question ("2 9 2 plus 5 7" -> [292, 57]). */
const operands = (t: AbacusTask): number[] =>
  [...t.question.matchAll(/\d(?: \d)*/g)].map((m) => Number(m[0].replace(/ /g, "")));
/** The digit list of a list question ("4 , 7 , 1" -> [4, 7, 1]). */
const list = (t: AbacusTask): number[] =>
  (/\d(?: , \d)+/.exec(t.question)?.[0] ?? "").split(" , ").filter(Boolean).map(Number);

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
    { name: "no carry", has: (t) => carries(operands(t)[0]!, operands(t)[1]!, false) === 0 },
    { name: "one carry", has: (t) => carries(operands(t)[0]!, operands(t)[1]!, false) === 1 },
    { name: "several carries", has: (t) => carries(operands(t)[0]!, operands(t)[1]!, false) >= 2 },
  ],
  sub: [
    { name: "no borrow", has: (t) => carries(operands(t)[0]!, operands(t)[1]!, true) === 0 },
    { name: "one borrow", has: (t) => carries(operands(t)[0]!, operands(t)[1]!, true) === 1 },
    { name: "several borrows", has: (t) => carries(operands(t)[0]!, operands(t)[1]!, true) >= 2 },
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
    { name: "digit several times", has: (t) => Number(t.answer.replace(/ /g, "")) >= 2 },
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

/** The first subskill `task` belongs to (every task has one: each list covers its skill). */
export function subskillOf(task: AbacusTask): string {
  const found = abacusSubskills[task.skill].find((s) => s.has(task));
  return found?.name ?? abacusSubskills[task.skill][0]!.name;
}
