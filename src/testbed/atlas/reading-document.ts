import type { SeededRandom } from "../../math/seeded-random.ts";
import type { AtlasDocument, Statement } from "./atlas-document.ts";
import { type Relation, relationNames, relationValues } from "./atlas-lexicon.ts";
import { bioTemplates, fill, qaPair, trainingQuestions } from "./atlas-templates.ts";
import { type AtlasWorld, otherValue, pick } from "./atlas-world.ts";
import type { PopularitySampler } from "./popularity-sampler.ts";

/** A fact a reading context states: `who` indexes `world.people`, or `world.unseen` when unseen. */
export interface ReadingFact {
  who: number;
  relation: Relation;
  value: string;
}

/**
 * The facts of one reading context: 3–5 distinct (person, relation) facts about 1–3 people drawn
 * by `drawPerson`, with the world's values for known people and fresh random values for unseen
 * ones (nothing about them can be memorised).
 */
export function readingFacts(
  world: AtlasWorld,
  rng: SeededRandom,
  unseen: boolean,
  drawPerson: () => number,
): ReadingFact[] {
  const pool = unseen ? world.unseen.length : world.people.length;
  const count = Math.min(1 + rng.int(3), pool);
  const chosen = new Set<number>();
  while (chosen.size < count) chosen.add(drawPerson());
  const people = [...chosen];
  const sentences = 3 + rng.int(3);
  const facts: ReadingFact[] = [];
  const seen = new Set<string>();
  while (facts.length < sentences) {
    // every chosen person gets a sentence first, then any of them
    const who = people[facts.length < people.length ? facts.length : rng.int(people.length)]!;
    const relation = pick(rng, relationNames);
    if (seen.has(`${who}:${relation}`)) continue;
    seen.add(`${who}:${relation}`);
    const value = unseen ? pick(rng, relationValues[relation]) : world.people[who]!.facts[relation];
    facts.push({ who, relation, value });
  }
  return facts;
}

/** The context sentences of `facts`, one bio template each. */
export function readingContext(
  world: AtlasWorld,
  rng: SeededRandom,
  facts: readonly ReadingFact[],
  unseen: boolean,
): string {
  return facts
    .map((f) => fill(pick(rng, bioTemplates[f.relation]), nameOf(world, f.who, unseen), f.value))
    .join(" ");
}

export function nameOf(world: AtlasWorld, who: number, unseen: boolean): string {
  return unseen ? world.unseen[who]! : world.people[who]!.name;
}

/**
 * Reading comprehension: `C: <3–5 sentences about 1–3 people> Q: … A: <the context's value> .`
 * In `readingConflictRate` of documents the asked fact's context value differs from the world
 * (the answer still follows the context); `readingUnseenRate` of documents are about unseen
 * people.
 */
export function readingDocument(
  world: AtlasWorld,
  sampler: PopularitySampler,
  rng: SeededRandom,
): AtlasDocument {
  const unseen = rng.next() < world.config.readingUnseenRate;
  const draw = unseen ? () => rng.int(world.unseen.length) : () => sampler.person(rng);
  const facts = readingFacts(world, rng, unseen, draw);
  const asked = rng.int(facts.length);
  const q = facts[asked]!;
  if (!unseen && rng.next() < world.config.readingConflictRate)
    q.value = otherValue(rng, q.relation, q.value);
  const context = readingContext(world, rng, facts, unseen);
  const question = qaPair(
    nameOf(world, q.who, unseen),
    q.relation,
    q.value,
    pick(rng, trainingQuestions),
  );
  // unseen people's values are not facts of the world: only known people's statements count
  const statements: Statement[] = unseen
    ? []
    : [...facts, q].map((f) => ({ person: f.who, relation: f.relation, value: f.value }));
  return { type: "reading", text: `C: ${context} ${question}`, statements };
}
