import type { EvalItem } from "../../evals/eval-item.ts";
import { deriveSeed, SeededRandom } from "../../math/seeded-random.ts";
import { type AbacusSkill, abacusTask } from "../abacus/abacus-skills.ts";
import { defaultChainShape } from "../abacus/chain-skill.ts";
import type { Notation } from "../abacus/digits.ts";

/** The skills the Symbolic-MoE demo routes between: the four list skills (docs/testbed.md). */
export const moeSkills = ["max", "sort", "reverse", "count"] as const satisfies AbacusSkill[];
export type MoeSkill = (typeof moeSkills)[number];

/**
 * `perSkill` Abacus problems of each routed skill as eval items (text answers, the skill in
 * `meta.skill` for the oracle and the reports only: the method never reads it), from the
 * `purpose` stream of the eval seed so validation and test never share a draw. Numbers in the
 * base model's `notation` (the list skills hold single digits, which read the same in both).
 */
export function moeItems(
  evalSeed: number,
  purpose: "validation" | "test",
  perSkill: number,
  notation: Notation = "msb-first",
): EvalItem[] {
  const rng = new SeededRandom(deriveSeed(evalSeed, `moe-${purpose}`));
  return moeSkills.flatMap((skill) =>
    Array.from({ length: perSkill }, (_, i) => {
      const task = abacusTask(skill, rng, defaultChainShape, notation);
      return {
        id: `${purpose}-${skill}-${String(i).padStart(4, "0")}`,
        question: task.question,
        answer: task.answer,
        answerType: "text" as const,
        meta: { skill },
      };
    }),
  );
}

/**
 * Training pairs for an expert: `n` tasks cycling over `skills`, in the corpus's `Q: … A:` form and
 * the base model's `notation`.
 */
export function expertTrainingData(
  skills: readonly AbacusSkill[],
  n: number,
  seed: number,
  notation: Notation = "msb-first",
): { prompt: string; completion: string }[] {
  const rng = new SeededRandom(deriveSeed(seed, `moe-expert-${skills.join("+")}`));
  return Array.from({ length: n }, (_, i) => {
    const task = abacusTask(skills[i % skills.length]!, rng, defaultChainShape, notation);
    return { prompt: `Q: ${task.question} A:`, completion: ` ${task.answer} .` };
  });
}
