import { deriveSeed, SeededRandom } from "../../math/seeded-random.ts";
import { nextByDeficit } from "../token-mix.ts";
import type { AtlasDocumentType } from "./atlas-config.ts";
import type { AtlasDocument } from "./atlas-document.ts";
import { documentMakers } from "./atlas-documents.ts";
import { type Relation, relationNames, relationValues } from "./atlas-lexicon.ts";
import { type AtlasWorld, pick } from "./atlas-world.ts";
import { PopularitySampler } from "./popularity-sampler.ts";

/** Words in a document line (= tokens under the word-level tokenizer). */
export function wordCount(text: string): number {
  let n = 1;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 32) n++;
  return n;
}

/**
 * The world's pretraining corpus, one document at a time (nothing is held, so 8M tokens stream in
 * constant memory). Each next document is of the type furthest below its token share so far, so
 * the mix holds to within one document at every prefix; it stops at `tokens` words (the last
 * document may overshoot by its own length). Same world and budget → the same documents.
 */
export function* atlasCorpus(
  world: AtlasWorld,
  tokens: number = world.config.tokens,
): Generator<AtlasDocument> {
  const rng = new SeededRandom(deriveSeed(world.config.seed, "atlas-corpus"));
  const sampler = new PopularitySampler(world);
  const produced: Record<AtlasDocumentType, number> = {
    bio: 0,
    qa: 0,
    reading: 0,
    persona: 0,
    dialogue: 0,
  };
  // a separate stream, so the fixed-facts corpus is unchanged by this switch's existence
  const factRng = new SeededRandom(deriveSeed(world.config.seed, "atlas-facts-per-document"));
  const perDocument = world.config.facts === "per-document";
  let total = 0;
  while (total < tokens) {
    const type = nextByDeficit(world.config.mix, produced, total);
    const docWorld = perDocument ? withFreshFacts(world, factRng) : world;
    const doc = documentMakers[type](docWorld, sampler, rng);
    const n = wordCount(doc.text);
    produced[type] += n;
    total += n;
    yield doc;
  }
}

/** The world with every known person's facts drawn anew (PBT's null world, per document). */
function withFreshFacts(world: AtlasWorld, rng: SeededRandom): AtlasWorld {
  const people = world.people.map((p) => ({
    ...p,
    facts: Object.fromEntries(
      relationNames.map((r) => [r, pick(rng, relationValues[r])]),
    ) as Record<Relation, string>,
  }));
  return { ...world, people };
}

/** How often the corpus states each known fact with the world's value. */
export interface AtlasExposures {
  /** Count per fact, indexed `person * 6 + relation index`. */
  counts: Int32Array;
  /** Words in the corpus, per document type and in all. */
  tokens: Record<AtlasDocumentType | "total", number>;
  documents: number;
}

const cache = new WeakMap<AtlasWorld, AtlasExposures>();

/**
 * Counts, over the whole corpus, the statements of each fact with its world value (wrong values
 * from conflicting contexts, liars and persuaders are not exposures). Runs the generator once per
 * world (a few seconds at 8M tokens) and caches the result.
 */
export function atlasExposures(world: AtlasWorld): AtlasExposures {
  const hit = cache.get(world);
  if (hit) return hit;
  const counts = new Int32Array(world.people.length * relationNames.length);
  const tokens = { bio: 0, qa: 0, reading: 0, persona: 0, dialogue: 0, total: 0 };
  let documents = 0;
  const index = Object.fromEntries(relationNames.map((r, i) => [r, i])) as Record<Relation, number>;
  for (const doc of atlasCorpus(world)) {
    const n = wordCount(doc.text);
    tokens[doc.type] += n;
    tokens.total += n;
    documents++;
    for (const s of doc.statements)
      if (world.people[s.person]!.facts[s.relation] === s.value)
        counts[s.person * relationNames.length + index[s.relation]]!++;
  }
  const result = { counts, tokens, documents };
  cache.set(world, result);
  return result;
}

/** One ground-truth fact as `testbed world --facts` prints it. */
export interface AtlasFact {
  person: string;
  relation: Relation;
  value: string;
  exposures: number;
  /** Popularity rank of the person (0 = most popular). */
  rank: number;
}

/** Every known fact with its exposure count, most popular person first. */
export function atlasFacts(world: AtlasWorld): AtlasFact[] {
  const { counts } = atlasExposures(world);
  return world.people.flatMap((p, i) =>
    relationNames.map((relation, r) => ({
      person: p.name,
      relation,
      value: p.facts[relation],
      exposures: counts[i * relationNames.length + r]!,
      rank: p.rank,
    })),
  );
}
