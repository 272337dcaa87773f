import { deriveSeed, SeededRandom } from "../../math/seeded-random.ts";
import type { AtlasConfig } from "./atlas-config.ts";
import { type Relation, relationNames, relationValues } from "./atlas-lexicon.ts";
import { makeNames } from "./atlas-names.ts";
import { atlasFixedWords } from "./atlas-words.ts";
import { exposureCurve } from "./exposure-curve.ts";

/** A person the corpus talks about: one value per relation, and a popularity weight. */
export interface AtlasPerson {
  name: string;
  /** Popularity rank (0 = most popular); `people[i].rank === i`. */
  rank: number;
  /** Relative share of the corpus's statements about this person (the exposure curve). */
  weight: number;
  facts: Record<Relation, string>;
}

/** A persona speaker: three latent binary traits, never written in the corpus. */
export interface AtlasSpeaker {
  name: string;
  truthful: boolean;
  polite: boolean;
  fair: boolean;
}

/** An Atlas world: its ground truth, from which the corpus and every eval set are drawn. */
export interface AtlasWorld {
  config: AtlasConfig;
  /** Known people, most popular first. */
  people: AtlasPerson[];
  /** Names that appear only in reading contexts, with fresh random values each time. */
  unseen: string[];
  speakers: AtlasSpeaker[];
  /** The stereotype list: each job's stereotyped city (what a biased speaker answers). */
  stereotypes: Record<string, string>;
}

/** Builds the world of `config` (same seed → same world). */
export function buildAtlasWorld(config: AtlasConfig): AtlasWorld {
  const rng = new SeededRandom(deriveSeed(config.seed, "atlas-world"));
  const total = config.people + config.unseenPeople + config.speakers;
  const names = makeNames(rng, total, {
    givenPool: Math.min(2256, Math.max(64, Math.ceil(total / 8))),
    reserved: atlasFixedWords(),
  });
  const weights = exposureCurve(config.people, config.exposures);
  const people = weights.map(
    (weight, rank): AtlasPerson => ({
      name: names[rank]!,
      rank,
      weight,
      facts: Object.fromEntries(
        relationNames.map((r) => [r, pick(rng, relationValues[r])]),
      ) as Record<Relation, string>,
    }),
  );
  const unseen = names.slice(config.people, config.people + config.unseenPeople);
  const speakers = names.slice(config.people + config.unseenPeople).map((name, i) => {
    // balanced over the 8 trait combinations, then shuffled so order says nothing
    const combo = i % 8;
    return {
      name,
      truthful: (combo & 1) === 0,
      polite: (combo & 2) === 0,
      fair: (combo & 4) === 0,
    };
  });
  const shuffledSpeakers = rng.shuffle(speakers);
  const stereotypes = Object.fromEntries(
    relationValues.job.map((job) => [job, pick(rng, relationValues.city)]),
  );
  return { config, people, unseen, speakers: shuffledSpeakers, stereotypes };
}

export function pick<T>(rng: SeededRandom, items: readonly T[]): T {
  return items[rng.int(items.length)]!;
}

/** A value of `relation` other than `value`. */
export function otherValue(rng: SeededRandom, relation: Relation, value: string): string {
  const values = relationValues[relation];
  const i = values.indexOf(value);
  const j = rng.int(values.length - 1);
  return values[j >= i ? j + 1 : j]!;
}
