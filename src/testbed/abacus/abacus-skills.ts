import type { SeededRandom } from "../../math/seeded-random.ts";
import { type ChainShape, chainTask, defaultChainShape } from "./chain-skill.ts";
import { columnWorking, type Working } from "./column-working.ts";
import { digitList, digits, type Notation, numberOfWidth } from "./digits.ts";
import { programRationale, programSpec, randomProgram } from "./prog-dsl.ts";

/** Abacus's skills. Their names never appear in questions: only paraphrases do. */
export const abacusSkills = [
  "add",
  "sub",
  "max",
  "sort",
  "reverse",
  "count",
  "chain",
  "prog",
] as const;
export type AbacusSkill = (typeof abacusSkills)[number];

/** One task: the question, its exact answer, and the text a model is trained on after `A:`. */
export interface AbacusTask {
  skill: AbacusSkill;
  question: string;
  /** The final answer alone (digits, or a list). */
  answer: string;
  /** What follows `A:` in the corpus: the answer, or a rationale ending in it. */
  solution: string;
  /** Chain tasks: steps × digits × (distractors + 1); 1 for the rest. */
  difficulty: number;
}

const pick = (rng: SeededRandom, options: readonly string[]) => options[rng.int(options.length)]!;
const fill = (template: string, slots: Record<string, string>) =>
  template.replace(/\{(\w+)\}/g, (_, k: string) => slots[k]!);

/** Question wordings per simple skill (paraphrases: "plus", "sum of", "put in order", …). */
export const wordings: Record<Exclude<AbacusSkill, "chain" | "prog">, readonly string[]> = {
  add: ["what is {a} plus {b} ?", "the sum of {a} and {b} ?", "{a} and {b} together make ?"],
  sub: ["what is {a} minus {b} ?", "take {b} away from {a} ?", "the difference of {a} and {b} ?"],
  max: ["which is largest : {l} ?", "the biggest of {l} ?", "the greatest number in {l} ?"],
  sort: ["put {l} in order ?", "arrange {l} from small to large ?", "{l} smallest first ?"],
  reverse: ["{l} backwards ?", "write {l} last to first ?", "read {l} from the end ?"],
  count: ["how many {d} in {l} ?", "how often does {d} appear in {l} ?", "times {d} is in {l} ?"],
};

function list(rng: SeededRandom, length: number): number[] {
  return Array.from({ length }, () => rng.int(10));
}

/**
 * A task of `skill`, drawn from `rng`, its numbers written in `notation`, its add and sub (and
 * chain steps) answered after their `working` (the draws depend on neither).
 */
export function abacusTask(
  skill: AbacusSkill,
  rng: SeededRandom,
  chain: ChainShape = defaultChainShape,
  notation: Notation = "msb-first",
  working: Working = "none",
): AbacusTask {
  const num = (n: number) => digits(n, notation);
  const nums = (l: readonly number[]) => digitList(l, notation);
  const simple = (question: string, answer: string): AbacusTask => ({
    skill,
    question,
    answer,
    solution: answer,
    difficulty: 1,
  });
  switch (skill) {
    case "add":
    case "sub": {
      const a = numberOfWidth(rng, 2 + rng.int(2));
      const b = numberOfWidth(rng, 2 + rng.int(2));
      const [x, y] = skill === "sub" && b > a ? [b, a] : [a, b];
      const q = fill(pick(rng, wordings[skill]), { a: num(x), b: num(y) });
      const answer = num(skill === "add" ? x + y : x - y);
      if (working === "none") return simple(q, answer);
      const worked = columnWorking(x, skill === "add" ? "+" : "-", y, notation);
      return { ...simple(q, answer), solution: `${worked} answer : ${answer} .` };
    }
    case "max": {
      const l = list(rng, 3 + rng.int(4));
      return simple(fill(pick(rng, wordings.max), { l: nums(l) }), num(Math.max(...l)));
    }
    case "sort": {
      const l = list(rng, 5);
      const sorted = [...l].sort((p, q) => p - q);
      return simple(fill(pick(rng, wordings.sort), { l: nums(l) }), nums(sorted));
    }
    case "reverse": {
      const l = list(rng, 3 + rng.int(4));
      return simple(fill(pick(rng, wordings.reverse), { l: nums(l) }), nums([...l].reverse()));
    }
    case "count": {
      const l = list(rng, 4 + rng.int(5));
      const d = rng.next() < 0.8 ? l[rng.int(l.length)]! : rng.int(10);
      const q = fill(pick(rng, wordings.count), { d: num(d), l: nums(l) });
      return simple(q, num(l.filter((x) => x === d).length));
    }
    case "chain":
      return chainTask(rng, chain, notation, working);
    case "prog": {
      const program = randomProgram(rng, 4);
      const input = list(rng, 2 + rng.int(5));
      const solution = programRationale(program, input, notation);
      const answer = solution.slice(solution.lastIndexOf("output : ") + 9, -2);
      return {
        skill,
        question: `spec : ${programSpec(program, rng)} . input : ${nums(input)} .`,
        answer,
        solution,
        difficulty: program.length,
      };
    }
  }
}

/** A task as a corpus line: `Q: <question> A: <solution>` (simple answers end in " ."). */
export function taskText(task: AbacusTask): string {
  const solution = task.solution.endsWith(" .") ? task.solution : `${task.solution} .`;
  return `Q: ${task.question} A: ${solution}`;
}
