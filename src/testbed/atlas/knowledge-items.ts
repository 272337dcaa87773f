import type { AtlasContextItem } from "./adacad-items.ts";
import { atlasExposures } from "./atlas-corpus.ts";
import { type Relation, relationNames } from "./atlas-lexicon.ts";
import { fill, heldOutQuestion, questionTemplates } from "./atlas-templates.ts";
import type { AtlasWorld } from "./atlas-world.ts";
import { drawFacts, evalRandom, itemId } from "./eval-facts.ts";
import { nameOf, readingContext, readingFacts } from "./reading-document.ts";

/** A closed-book probe: the held-out question, no context; `gold` is the world's value. */
export interface KnowledgeItem {
  id: string;
  prompt: string;
  gold: string;
  person: string;
  relation: Relation;
  exposures: number;
  rank: number;
}

/**
 * The knowledge curve's probes: every known fact once, asked in the held-out template (wording the
 * corpus never used), with its exposure count for accuracy per exposure bucket. Needs no seed.
 */
export function knowledgeItems(world: AtlasWorld): KnowledgeItem[] {
  const { counts } = atlasExposures(world);
  return world.people.flatMap((p, i) =>
    relationNames.map((relation, r) => ({
      id: itemId("knowledge", i * relationNames.length + r),
      prompt: `Q: ${fill(questionTemplates[relation][heldOutQuestion]!, p.name)} A:`,
      gold: p.facts[relation],
      person: p.name,
      relation,
      exposures: counts[i * relationNames.length + r]!,
      rank: p.rank,
    })),
  );
}

/**
 * Reading-accuracy items: contexts shaped like the corpus's reading documents (3–5 sentences about
 * 1–3 people, world values for known people, fresh values for unseen ones, in the same share),
 * asked in the held-out template. Gold is the context's value. Their `set` is "agreeing" or
 * "context-only", so they run through the same context-item code as AdaCAD's sets.
 */
export function readingItems(world: AtlasWorld, evalSeed: number, n = 500): AtlasContextItem[] {
  const rng = evalRandom(evalSeed, "reading");
  const { counts } = atlasExposures(world);
  const items: AtlasContextItem[] = [];
  for (let k = 0; k < n; k++) {
    const unseen = rng.next() < world.config.readingUnseenRate;
    const pool = unseen ? world.unseen.length : world.people.length;
    const facts = readingFacts(world, rng, unseen, () => rng.int(pool));
    const context = readingContext(world, rng, facts, unseen);
    const asked = facts[rng.int(facts.length)]!;
    const question = fill(
      questionTemplates[asked.relation][heldOutQuestion]!,
      nameOf(world, asked.who, unseen),
    );
    items.push({
      id: itemId("reading", k),
      set: unseen ? "context-only" : "agreeing",
      context,
      question,
      contextPrompt: `C: ${context} Q: ${question} A:`,
      plainPrompt: `Q: ${question} A:`,
      gold: asked.value,
      ...(unseen ? {} : { memory: asked.value }),
      exposures: unseen
        ? 0
        : counts[asked.who * relationNames.length + relationNames.indexOf(asked.relation)]!,
      person: nameOf(world, asked.who, unseen),
      relation: asked.relation,
    });
  }
  return items;
}

/**
 * MAT-Steer's neutral prompts (side effects of steering): `n` closed-book probes drawn with
 * `evalSeed`, whose accuracy and next-token KL should not move under steering.
 */
export function neutralItems(world: AtlasWorld, evalSeed: number, n = 500): KnowledgeItem[] {
  const rng = evalRandom(evalSeed, "steer-neutral");
  return drawFacts(world, rng, n).map((f, i) => {
    const p = world.people[f.person]!;
    return {
      id: itemId("neutral", i),
      prompt: `Q: ${fill(questionTemplates[f.relation][heldOutQuestion]!, p.name)} A:`,
      gold: f.value,
      person: p.name,
      relation: f.relation,
      exposures: f.exposures,
      rank: p.rank,
    };
  });
}
