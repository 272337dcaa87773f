import { deriveSeed, SeededRandom } from "../../math/seeded-random.ts";
import { type Relation, relationNames } from "../atlas/atlas-lexicon.ts";
import { bioTemplates, fill } from "../atlas/atlas-templates.ts";
import { type AtlasWorld, otherValue, pick } from "../atlas/atlas-world.ts";

/** How an unfaithful summary sentence departs from its document. */
export type Flaw = "swapped" | "other-person" | "unsupported";
export const flaws: readonly Flaw[] = ["swapped", "other-person", "unsupported"];

/** One summary sentence with its exact label from the world. */
export interface SummarySentence {
  text: string;
  /** The bio template it fills (a fix keeps it and changes the value only). */
  template: string;
  relation: Relation;
  /** The value the sentence states (the wrong span when unfaithful). */
  value: string;
  faithful: boolean;
  flaw: Flaw | null;
  /** The document's value for the relation; null when the document does not state it. */
  documentValue: string | null;
}

/** A document (a bio of 4 of a known person's 6 facts) and a 3–4 sentence summary of it. */
export interface SummaryItem {
  id: string;
  person: number;
  name: string;
  document: string;
  /** The relations the document states, with their values. */
  facts: Partial<Record<Relation, string>>;
  /** The document's sentence of each relation it states. */
  documentSentences: Partial<Record<Relation, string>>;
  sentences: SummarySentence[];
}

/** Relations a document states (the design's "bio" with two relations left out). */
export const documentRelations = 4;

/**
 * `n` summary items from stream `purpose` of `seed` (eval items: "eval"; each adapter's training
 * data its own stream). Each summary has 3–4 sentences about distinct relations, 0–2 of them
 * unfaithful (uniform), each flaw drawn uniformly among those possible: swapped value, another
 * person's value, or a relation the document does not state (with the person's true value).
 */
export function summaryItems(
  world: AtlasWorld,
  seed: number,
  purpose: string,
  n: number,
): SummaryItem[] {
  const rng = new SeededRandom(deriveSeed(seed, `mamm-${purpose}`));
  return Array.from({ length: n }, (_, i) =>
    summaryItem(world, rng, `${purpose}-${String(i).padStart(4, "0")}`),
  );
}

function summaryItem(world: AtlasWorld, rng: SeededRandom, id: string): SummaryItem {
  const person = rng.int(world.people.length);
  const p = world.people[person]!;
  const stated = rng.shuffle(relationNames).slice(0, documentRelations);
  const facts = Object.fromEntries(stated.map((r) => [r, p.facts[r]])) as Partial<
    Record<Relation, string>
  >;
  const documentSentences = Object.fromEntries(
    stated.map((r) => [r, fill(pick(rng, bioTemplates[r]), p.name, p.facts[r])]),
  ) as Partial<Record<Relation, string>>;
  const document = stated.map((r) => documentSentences[r]).join(" ");
  const length = 3 + rng.int(2);
  const unfaithful = rng.int(3);
  const absent = relationNames.filter((r) => !stated.includes(r));
  // which positions are flawed, and how; an unsupported flaw needs a relation the document lacks
  const kinds = rng
    .shuffle([
      ...Array.from({ length: unfaithful }, () => pick(rng, flaws)),
      ...Array(length - unfaithful).fill(null),
    ])
    .map((k: Flaw | null) => k);
  const unsupportedCount = Math.min(absent.length, kinds.filter((k) => k === "unsupported").length);
  let unsupportedLeft = unsupportedCount;
  const resolved = kinds.map((k) =>
    k === "unsupported" ? (unsupportedLeft-- > 0 ? k : "swapped") : k,
  );
  const absentPool = rng.shuffle(absent).slice(0, unsupportedCount);
  const statedPool = rng.shuffle(stated);
  const sentences = resolved.map((flaw): SummarySentence => {
    const relation = flaw === "unsupported" ? absentPool.pop()! : statedPool.pop()!;
    const documentValue = facts[relation] ?? null;
    const value = flawedValue(world, rng, person, relation, flaw);
    const template = pick(rng, bioTemplates[relation]);
    const text = fill(template, p.name, value);
    return { text, template, relation, value, faithful: flaw === null, flaw, documentValue };
  });
  return { id, person, name: p.name, document, facts, documentSentences, sentences };
}

function flawedValue(
  world: AtlasWorld,
  rng: SeededRandom,
  person: number,
  relation: Relation,
  flaw: Flaw | null,
): string {
  const own = world.people[person]!.facts[relation];
  if (flaw === null || flaw === "unsupported") return own;
  if (flaw === "other-person") {
    // the value another known person has (a memory confusion), different from the document's
    for (let tries = 0; tries < 100; tries++) {
      const other = world.people[rng.int(world.people.length)]!.facts[relation];
      if (other !== own) return other;
    }
  }
  return otherValue(rng, relation, own);
}

/** The summary's text: its sentences joined by spaces. */
export function summaryText(item: SummaryItem): string {
  return item.sentences.map((s) => s.text).join(" ");
}
