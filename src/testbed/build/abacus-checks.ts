import type { LanguageModel } from "../../model/language-model.ts";
import { abacusFinalAnswer, abacusProbeTokens } from "../abacus/abacus-answer.ts";
import type { AbacusConfig } from "../abacus/abacus-config.ts";
import { abacusItems } from "../abacus/abacus-eval.ts";
import { type AbacusSkill, abacusSkills } from "../abacus/abacus-skills.ts";
import { greedyCompletion } from "./greedy-probe.ts";

/** What a built Abacus model can do: greedy accuracy per skill on the `skills` eval set. */
export interface AbacusChecks {
  skills: Array<{ skill: AbacusSkill; n: number; accuracy: number }>;
  /** Over all skills (equal n each). */
  accuracy: number;
  evalSeed: number;
}

/**
 * Problems per skill by default: ±10 points at 95% near 50% accuracy, for ~19k greedy tokens
 * (eval seed 1; over half of them chain working).
 */
export const defaultSkillsN = 100;

/**
 * The check every Abacus build records before any method uses the model: `n` problems per skill
 * of the `skills` eval set (eval seed `evalSeed`, chains of the world's shape, numbers in the
 * world's notation: the model is asked in the notation it was trained on), each completed
 * greedily after its `A:` and right when its final answer (after the working, for chain and prog,
 * and for add and sub in a world with worked columns: the model writes the working itself) is
 * exactly the item's.
 */
export async function abacusChecks(
  model: LanguageModel,
  world: Pick<AbacusConfig, "chain" | "notation" | "working">,
  options: { n?: number; evalSeed?: number } = {},
): Promise<AbacusChecks> {
  const evalSeed = options.evalSeed ?? 1;
  const { working } = world;
  const n = options.n ?? defaultSkillsN;
  const items = abacusItems(evalSeed, n, world.chain, world.notation, working);
  const right = new Map<AbacusSkill, { k: number; n: number }>(
    abacusSkills.map((s) => [s, { k: 0, n: 0 }]),
  );
  for (const item of items) {
    const completion = await greedyCompletion(model, item.prompt, abacusProbeTokens(item));
    const tally = right.get(item.skill)!;
    tally.n++;
    if (abacusFinalAnswer(item.skill, completion, working) === item.answer) tally.k++;
  }
  const skills = abacusSkills.map((skill) => {
    const { k, n } = right.get(skill)!;
    return { skill, n, accuracy: n ? k / n : Number.NaN };
  });
  const total = skills.reduce((sum, s) => sum + s.n, 0);
  const k = [...right.values()].reduce((sum, t) => sum + t.k, 0);
  return { skills, accuracy: total ? k / total : Number.NaN, evalSeed };
}
