import { SeededRandom } from "../../math/seeded-random.ts";
import type { LaserItem } from "../../methods/laser/laser-items.ts";
import type { OutcomeInput, OutcomeRewardModel } from "../../scoring/reward-model.ts";
import type { Relation } from "../atlas/atlas-lexicon.ts";
import type { AtlasWorld } from "../atlas/atlas-world.ts";
import { evalRandom } from "../atlas/eval-facts.ts";
import { knowledgeItems } from "../atlas/knowledge-items.ts";
import { answerPhrase } from "./context-items.ts";

/** The two prompt families of the LASeR smoke (docs/laser.md, "chorus demo laser"). */
export const laserDemoFamilies = ["city", "job"] as const satisfies readonly Relation[];

/** A closed-book Atlas question with the world's value as gold (read by the world RMs and eval). */
export interface LaserDemoItem extends LaserItem {
  family: Relation;
  answer: string;
}

/**
 * `perFamily` closed-book questions per family about facts the corpus stated 5–49 times (middling
 * accuracy, so samples differ), in the held-out template, drawn with the eval seed.
 */
export function laserDemoItems(
  world: AtlasWorld,
  evalSeed: number,
  perFamily: number,
): LaserDemoItem[] {
  const rng = evalRandom(evalSeed, "laser");
  return laserDemoFamilies.flatMap((family) => {
    const pool = knowledgeItems(world).filter(
      (k) => k.relation === family && k.exposures >= 5 && k.exposures <= 49,
    );
    if (pool.length < perFamily)
      throw new Error(
        `the world has ${pool.length} ${family} facts seen 5–49 times, fewer than ${perFamily}`,
      );
    return rng
      .shuffle(pool)
      .slice(0, perFamily)
      .map((k) => ({ id: k.id, prompt: k.prompt, family, answer: k.gold }));
  });
}

/**
 * A reward model that knows one family's answers (the world's value: 1 if the answer phrase is
 * it, else 0) and guesses uniformly on other questions; with no family it always guesses (the
 * noise arm). Guesses are a hash of the text, so the same response always gets the same score.
 * The stand-in for an ORM trained on one family only.
 */
export class WorldRewardModel implements OutcomeRewardModel {
  private readonly golds: Map<string, LaserDemoItem>;

  constructor(
    readonly name: string,
    private readonly family: Relation | undefined,
    items: readonly LaserDemoItem[],
  ) {
    this.golds = new Map(items.map((it) => [it.prompt, it]));
  }

  async scoreOutcomes(inputs: readonly OutcomeInput[]): Promise<number[]> {
    return inputs.map((input) => {
      const item = this.golds.get(input.question);
      if (this.family !== undefined && item?.family === this.family)
        return answerPhrase(input.solution) === item.answer.toLowerCase() ? 1 : 0;
      return new SeededRandom(`${this.name}:${input.question}:${input.solution}`).next();
    });
  }
}
