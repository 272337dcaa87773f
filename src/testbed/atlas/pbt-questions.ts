import type { PbtQuestion } from "../../methods/pbt/dialogue-tree.ts";
import { fill, heldOutQuestion, questionTemplates } from "./atlas-templates.ts";
import type { AtlasWorld } from "./atlas-world.ts";
import { drawFacts, evalRandom, itemId } from "./eval-facts.ts";

/** A PBT question about a known Atlas fact, with its exposure count (PBT can resist only what it knows). */
export interface AtlasPbtQuestion extends PbtQuestion {
  exposures: number;
}

/**
 * `n` known facts drawn uniformly (exposures follow the world's curve, so the model knows some
 * and not others), asked in the held-out wording; gold is the world's value. `set` keeps the
 * streams of trees and evaluation questions apart.
 */
export function atlasPbtQuestions(
  world: AtlasWorld,
  evalSeed: number,
  n: number,
  set = "pbt",
): AtlasPbtQuestion[] {
  return drawFacts(world, evalRandom(evalSeed, set), n).map((f, i) => ({
    id: itemId(set, i),
    question: fill(questionTemplates[f.relation][heldOutQuestion]!, world.people[f.person]!.name),
    gold: [f.value],
    exposures: f.exposures,
  }));
}
