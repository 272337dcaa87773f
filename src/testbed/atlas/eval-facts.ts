import { deriveSeed, SeededRandom } from "../../math/seeded-random.ts";
import { atlasExposures } from "./atlas-corpus.ts";
import { type Relation, relationNames } from "./atlas-lexicon.ts";
import type { AtlasWorld } from "./atlas-world.ts";

/** A known fact an eval item asks about. */
export interface FactRef {
  person: number;
  relation: Relation;
  value: string;
  exposures: number;
}

/** The random stream of one eval set: the eval seed and the set's name, never the world seed. */
export function evalRandom(evalSeed: number, set: string): SeededRandom {
  return new SeededRandom(deriveSeed(evalSeed, `atlas-eval:${set}`));
}

/**
 * `n` known facts drawn uniformly (each fact equally likely, so exposures follow the world's
 * curve): distinct while the world has enough, then a fresh shuffle (small worlds repeat facts,
 * each time with other wording and distractors).
 */
export function drawFacts(world: AtlasWorld, rng: SeededRandom, n: number): FactRef[] {
  const { counts } = atlasExposures(world);
  const total = world.people.length * relationNames.length;
  const out: FactRef[] = [];
  while (out.length < n) {
    for (const i of rng.shuffle(Array.from({ length: total }, (_, k) => k))) {
      if (out.length === n) break;
      const person = Math.floor(i / relationNames.length);
      const relation = relationNames[i % relationNames.length]!;
      out.push({
        person,
        relation,
        value: world.people[person]!.facts[relation],
        exposures: counts[i]!,
      });
    }
  }
  return out;
}

/** Zero-padded item ids, so they sort in order. */
export function itemId(set: string, i: number): string {
  return `${set}-${String(i).padStart(4, "0")}`;
}
