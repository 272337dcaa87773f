import { deriveSeed, SeededRandom } from "../../math/seeded-random.ts";
import { type AbacusSkill, abacusSkills, abacusTask } from "./abacus-skills.ts";
import { type ChainShape, defaultChainShape } from "./chain-skill.ts";
import type { Working } from "./column-working.ts";
import type { Notation } from "./digits.ts";

/** A held-out Abacus problem: `prompt` ends at `A:`, `answer` is the exact final answer. */
export interface AbacusItem {
  id: string;
  skill: AbacusSkill;
  prompt: string;
  answer: string;
  /** The reference solution (rationale for chain and prog). */
  solution: string;
  difficulty: number;
}

/**
 * `n` problems per skill from the eval seed's own stream, chains of the world's `chain` shape,
 * numbers in its `notation`, solutions with its `working` (the same problems either way: only
 * the written numbers and the reference solutions differ). The generator's space is large (chain
 * and prog programs, 2–3-digit operands), so eval problems are new instances of the skills, not
 * corpus lines; skills with small spaces (sort of 5 digits: 10⁵ lists) can coincide with training
 * problems by chance, as in the papers' setups.
 */
export function abacusItems(
  evalSeed: number,
  n = 100,
  chain: ChainShape = defaultChainShape,
  notation: Notation = "msb-first",
  working: Working = "none",
): AbacusItem[] {
  const rng = new SeededRandom(deriveSeed(evalSeed, "abacus-eval"));
  return abacusSkills.flatMap((skill) =>
    Array.from({ length: n }, (_, i) => {
      const task = abacusTask(skill, rng, chain, notation, working);
      return {
        id: `${skill}-${String(i).padStart(4, "0")}`,
        skill,
        prompt: `Q: ${task.question} A:`,
        answer: task.answer,
        solution: task.solution,
        difficulty: task.difficulty,
      };
    }),
  );
}
