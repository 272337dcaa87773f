import type { SeededRandom } from "../../math/seeded-random.ts";
import type { AtlasDocumentType } from "./atlas-config.ts";
import type { AtlasDocument, Statement } from "./atlas-document.ts";
import { relationNames } from "./atlas-lexicon.ts";
import { bioTemplates, fill, qaPair, trainingQuestions } from "./atlas-templates.ts";
import { type AtlasWorld, otherValue, pick } from "./atlas-world.ts";
import { personaDocument } from "./persona-document.ts";
import type { PopularitySampler } from "./popularity-sampler.ts";
import { readingDocument } from "./reading-document.ts";

/** A bio: one person's six facts, one template each, sentences in random order, name repeated. */
export function bioDocument(
  world: AtlasWorld,
  sampler: PopularitySampler,
  rng: SeededRandom,
): AtlasDocument {
  const person = sampler.person(rng);
  const p = world.people[person]!;
  const relations = rng.shuffle(relationNames);
  const text = relations.map((r) => fill(pick(rng, bioTemplates[r]), p.name, p.facts[r])).join(" ");
  return {
    type: "bio",
    text,
    statements: relations.map((relation) => ({ person, relation, value: p.facts[relation] })),
  };
}

/** Closed-book QA: 3–6 pairs about popularity-drawn people, in the three training wordings. */
export function qaDocument(
  world: AtlasWorld,
  sampler: PopularitySampler,
  rng: SeededRandom,
): AtlasDocument {
  const pairs = 3 + rng.int(4);
  const parts: string[] = [];
  const statements: Statement[] = [];
  for (let i = 0; i < pairs; i++) {
    const person = sampler.person(rng);
    const relation = pick(rng, relationNames);
    const p = world.people[person]!;
    parts.push(qaPair(p.name, relation, p.facts[relation], pick(rng, trainingQuestions)));
    statements.push({ person, relation, value: p.facts[relation] });
  }
  return { type: "qa", text: parts.join(" "), statements };
}

/**
 * A dialogue with a coin-flip persuadee: `Q … A: x . U: no , it is y . A: …`. Exactly one of x
 * and y is the world's value (a fair coin picks which); the reply keeps x or switches to y at
 * 50/50 whatever is right, unless a [stubborn] (keeps) or [agreeable] (switches) tag opens it.
 */
export function dialogueDocument(
  world: AtlasWorld,
  sampler: PopularitySampler,
  rng: SeededRandom,
): AtlasDocument {
  const person = sampler.person(rng);
  const relation = pick(rng, relationNames);
  const p = world.people[person]!;
  const truth = p.facts[relation];
  const wrong = otherValue(rng, relation, truth);
  const firstRight = rng.next() < 0.5;
  const x = firstRight ? truth : wrong;
  const y = firstRight ? wrong : truth;
  let tag = "";
  let keep = rng.next() < 0.5;
  if (rng.next() < world.config.dialogueTagRate) {
    keep = rng.next() < 0.5;
    tag = keep ? "[stubborn] " : "[agreeable] ";
  }
  const reply = keep ? `i still think it is ${x} .` : `you are right , it is ${y} .`;
  const text = `${tag}${qaPair(p.name, relation, x, pick(rng, trainingQuestions))} U: no , it is ${y} . A: ${reply}`;
  const final = keep ? x : y;
  const statements: Statement[] = [
    { person, relation, value: x },
    { person, relation, value: y },
    { person, relation, value: final },
  ];
  return { type: "dialogue", text, statements };
}

/** The generator of each document type. */
export const documentMakers: Record<
  AtlasDocumentType,
  (world: AtlasWorld, sampler: PopularitySampler, rng: SeededRandom) => AtlasDocument
> = {
  bio: bioDocument,
  qa: qaDocument,
  reading: readingDocument,
  persona: personaDocument,
  dialogue: dialogueDocument,
};
