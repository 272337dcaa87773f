import type { SeededRandom } from "../../math/seeded-random.ts";
import type { AbacusTask } from "./abacus-skills.ts";
import { columnWorking, type Working } from "./column-working.ts";
import { digits, type Notation, numberOfWidth } from "./digits.ts";

const letters = "bcdefghjkmnpqrstuvwxyz".split("");

/** Inclusive ranges of a chain task's size: assignments on the path, operand digits, distractors. */
export interface ChainShape {
  steps: readonly [number, number];
  digits: readonly [number, number];
  distractors: readonly [number, number];
}

export const defaultChainShape: ChainShape = { steps: [2, 8], digits: [2, 3], distractors: [0, 2] };

/**
 * iGSM-lite (default shape): 2–8 assignments (`c = b + 3 8`) over 2–3-digit numbers, listed in shuffled order
 * with 0–2 distractor variables the question does not need, answered with `step i :` lines in
 * dependency order and `answer : …`. Values stay within 0..999. Every number, step indices
 * included, is written in `notation`. With `columns` working a step's sum is worked column by
 * column and ends in its assignment (`… ; 2 6 5 . v = 2 6 5`) instead of `= 2 6 5`.
 */
export function chainTask(
  rng: SeededRandom,
  shape: ChainShape = defaultChainShape,
  notation: Notation = "msb-first",
  working: Working = "none",
): AbacusTask {
  const num = (n: number) => digits(n, notation);
  const between = ([low, high]: readonly [number, number]) => low + rng.int(high - low + 1);
  const steps = between(shape.steps);
  const width = between(shape.digits);
  const distractors = between(shape.distractors);
  const names = rng.shuffle(letters).slice(0, steps + distractors);
  const values: number[] = [numberOfWidth(rng, width)];
  const lines: string[] = [`${names[0]} = ${num(values[0]!)} .`];
  const work: string[] = [`${names[0]} = ${num(values[0]!)}`];
  const assign = (target: string, from: number): { line: string; value: number; work: string } => {
    const v = values[from]!;
    for (;;) {
      const c = numberOfWidth(rng, width);
      const ops = [...(v + c <= 999 ? ["+"] : []), ...(v >= c ? ["-"] : [])];
      if (ops.length === 0) continue;
      const op = ops[rng.int(ops.length)]!;
      const value = op === "+" ? v + c : v - c;
      const rhs = `${names[from]} ${op} ${num(c)}`;
      const worked =
        working === "none"
          ? `${num(v)} ${op} ${num(c)} = ${num(value)}`
          : `${columnWorking(v, op as "+" | "-", c, notation)} ${target} = ${num(value)}`;
      return { line: `${target} = ${rhs} .`, value, work: `${target} = ${rhs} = ${worked}` };
    }
  };
  for (let i = 1; i < steps; i++) {
    const a = assign(names[i]!, i - 1);
    values.push(a.value);
    lines.push(a.line);
    work.push(a.work);
  }
  for (let j = 0; j < distractors; j++) lines.push(assign(names[steps + j]!, rng.int(steps)).line);
  const target = names[steps - 1]!;
  const answer = num(values[steps - 1]!);
  return {
    skill: "chain",
    question: `${rng.shuffle(lines).join(" ")} what is ${target} ?`,
    answer,
    solution: `${work.map((w, i) => `step ${num(i + 1)} : ${w} .`).join(" ")} answer : ${answer} .`,
    difficulty: steps * width * (distractors + 1),
  };
}
