import type { SeededRandom } from "../../math/seeded-random.ts";
import type { AtlasDocumentType } from "./atlas-config.ts";
import type { AtlasDocument, Statement } from "./atlas-document.ts";
import { type Relation, relationNames, relationValues } from "./atlas-lexicon.ts";
import { bioTemplates, fill, questionTemplates, trainingQuestions } from "./atlas-templates.ts";
import { type AtlasWorld, otherValue, pick } from "./atlas-world.ts";
import { personaDocument } from "./persona-document.ts";
import type { PopularitySampler } from "./popularity-sampler.ts";

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

/** `Q: <question> A: <value> .` in question template `template`. */
export function qaPair(name: string, relation: Relation, value: string, template: number): string {
  return `Q: ${fill(questionTemplates[relation][template]!, name)} A: ${value} .`;
}

/**
 * Reading comprehension: `C: <3–5 sentences about 1–3 people> Q: … A: <the context's value> .`
 * In `readingConflictRate` of documents the asked fact's context value differs from the world
 * (the answer still follows the context); `readingUnseenRate` of documents are about unseen
 * people, whose values are drawn afresh each time (nothing to memorise).
 */
export function readingDocument(
  world: AtlasWorld,
  sampler: PopularitySampler,
  rng: SeededRandom,
): AtlasDocument {
  const { config } = world;
  const unseen = rng.next() < config.readingUnseenRate;
  const count = Math.min(1 + rng.int(3), unseen ? world.unseen.length : world.people.length);
  const chosen = new Set<number>();
  while (chosen.size < count)
    chosen.add(unseen ? rng.int(world.unseen.length) : sampler.person(rng));
  const people = [...chosen];
  const sentences = 3 + rng.int(3);
  const facts: Array<{ who: number; relation: Relation }> = [];
  const seen = new Set<string>();
  while (facts.length < sentences) {
    const who = people[facts.length < people.length ? facts.length : rng.int(people.length)]!;
    const relation = pick(rng, relationNames);
    if (seen.has(`${who}:${relation}`)) continue;
    seen.add(`${who}:${relation}`);
    facts.push({ who, relation });
  }
  const asked = rng.int(facts.length);
  const conflict = !unseen && rng.next() < config.readingConflictRate;
  const statements: Statement[] = [];
  const values = facts.map(({ who, relation }, i) => {
    if (unseen) return pick(rng, relationValues[relation]);
    const truth = world.people[who]!.facts[relation];
    return i === asked && conflict ? otherValue(rng, relation, truth) : truth;
  });
  const nameOf = (who: number) => (unseen ? world.unseen[who]! : world.people[who]!.name);
  const context = facts
    .map(({ who, relation }, i) => fill(pick(rng, bioTemplates[relation]), nameOf(who), values[i]))
    .join(" ");
  const q = facts[asked]!;
  const text = `C: ${context} ${qaPair(nameOf(q.who), q.relation, values[asked]!, pick(rng, trainingQuestions))}`;
  if (!unseen)
    facts.forEach(({ who, relation }, i) => {
      statements.push({ person: who, relation, value: values[i]! });
      if (i === asked) statements.push({ person: who, relation, value: values[i]! });
    });
  return { type: "reading", text, statements };
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
