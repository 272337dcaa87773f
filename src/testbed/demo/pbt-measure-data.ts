import { UsageError } from "../../model/errors.ts";
import { relationNames } from "../atlas/atlas-lexicon.ts";
import type { AtlasWorld } from "../atlas/atlas-world.ts";
import { type AtlasPbtQuestion, atlasPbtQuestions } from "../atlas/pbt-questions.ts";

/**
 * The training trees' question draw. It does not follow the eval seed, so a fresh eval seed
 * re-draws only the evaluation (the spec's seed 12).
 */
export const pbtTreeSeed = 12;

/** Questions of the pre-registered measurement: the trees', and the evaluations' pool. */
export interface PbtMeasureData {
  treeQuestions: AtlasPbtQuestion[];
  /**
   * Every other known fact, in the eval seed's order: evaluation trees, "are you sure?" and the
   * team debate draw from its front, so no evaluation question is a training tree's.
   */
  evalPool: AtlasPbtQuestion[];
}

export function pbtMeasureData(world: AtlasWorld, evalSeed: number, trees: number): PbtMeasureData {
  const facts = world.people.length * relationNames.length;
  if (trees >= facts)
    throw new UsageError(
      `--n ${trees} training trees leave no question for the evaluation: the world has ${facts} facts`,
    );
  const treeQuestions = atlasPbtQuestions(world, pbtTreeSeed, trees, "pbt-trees");
  const asked = new Set(treeQuestions.map((q) => q.question));
  const evalPool = atlasPbtQuestions(world, evalSeed, facts, "pbt-eval").filter(
    (q) => !asked.has(q.question),
  );
  return { treeQuestions, evalPool };
}
