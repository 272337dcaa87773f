import type { SeededRandom } from "../../math/seeded-random.ts";
import { type Relation, relationValues } from "./atlas-lexicon.ts";
import { bioTemplates, fill, heldOutQuestion, questionTemplates } from "./atlas-templates.ts";
import { type AtlasWorld, otherValue, pick } from "./atlas-world.ts";
import { drawFacts, evalRandom, itemId } from "./eval-facts.ts";

/** AdaCAD's three context sets (design §5). */
export type AtlasContextSet = "conflict" | "agreeing" | "context-only";

/**
 * One question with a grounding context, in the held-out question template. `gold` is the value
 * the context states (right in every set); `memory` is the world's value (equal to `gold` on
 * agreeing items, absent for unseen people). The shape of src/testbed/demo's `ContextItem`.
 */
export interface AtlasContextItem {
  id: string;
  set: AtlasContextSet;
  context: string;
  question: string;
  /** `C: <context> Q: <question> A:` — the stream AdaCAD calls "with context". */
  contextPrompt: string;
  /** `Q: <question> A:` — the model's prior. */
  plainPrompt: string;
  gold: string;
  memory?: string;
  /** How often the corpus stated the fact with its world value (0 for unseen people). */
  exposures: number;
  person: string;
  relation: Relation;
}

export interface AdacadSetSizes {
  conflict: number;
  agreeing: number;
  contextOnly: number;
}

/**
 * AdaCAD's eval set, drawn with `evalSeed` (a new seed gives new facts, conflicting values,
 * distractors and wording over the same world): conflict items (the context states v′ ≠ the
 * world's value of a known fact; gold v′), agreeing items (the context states the world's value)
 * and context-only items (unseen people). Every context also names 1–2 distractor people with the
 * same relation and other values — on agreeing items that is where CAD's full contrast
 * over-corrects; giving conflict items the same shape keeps the sets apart by conflict alone.
 */
export function adacadItems(
  world: AtlasWorld,
  evalSeed: number,
  sizes: AdacadSetSizes = { conflict: 500, agreeing: 500, contextOnly: 300 },
): AtlasContextItem[] {
  const rng = evalRandom(evalSeed, "adacad");
  const facts = drawFacts(world, rng, sizes.conflict + sizes.agreeing);
  const items: AtlasContextItem[] = [];
  facts.forEach((f, i) => {
    const set: AtlasContextSet = i < sizes.conflict ? "conflict" : "agreeing";
    const gold = set === "conflict" ? otherValue(rng, f.relation, f.value) : f.value;
    const name = world.people[f.person]!.name;
    items.push(
      contextItem(world, rng, {
        id: itemId(set, set === "conflict" ? i : i - sizes.conflict),
        set,
        name,
        relation: f.relation,
        gold,
        memory: f.value,
        exposures: f.exposures,
        exclude: f.person,
      }),
    );
  });
  for (let i = 0; i < sizes.contextOnly; i++) {
    const relation = pick(rng, Object.keys(relationValues) as Relation[]);
    items.push(
      contextItem(world, rng, {
        id: itemId("context-only", i),
        set: "context-only",
        name: pick(rng, world.unseen),
        relation,
        gold: pick(rng, relationValues[relation]),
        exposures: 0,
        exclude: -1,
      }),
    );
  }
  return items;
}

function contextItem(
  world: AtlasWorld,
  rng: SeededRandom,
  at: {
    id: string;
    set: AtlasContextSet;
    name: string;
    relation: Relation;
    gold: string;
    memory?: string;
    exposures: number;
    exclude: number;
  },
): AtlasContextItem {
  const { relation } = at;
  const sentences = [fill(pick(rng, bioTemplates[relation]), at.name, at.gold)];
  const used = new Set([at.gold, at.memory]);
  const distractors = 1 + rng.int(2);
  // bounded: a tiny world may not have enough people with distinct values
  for (let tries = 0; sentences.length <= distractors && tries < 1000; tries++) {
    const other = rng.int(world.people.length);
    const value = world.people[other]!.facts[relation];
    if (other === at.exclude || used.has(value)) continue;
    used.add(value);
    sentences.push(fill(pick(rng, bioTemplates[relation]), world.people[other]!.name, value));
  }
  const context = rng.shuffle(sentences).join(" ");
  const question = fill(questionTemplates[relation][heldOutQuestion]!, at.name);
  return {
    id: at.id,
    set: at.set,
    context,
    question,
    contextPrompt: `C: ${context} Q: ${question} A:`,
    plainPrompt: `Q: ${question} A:`,
    gold: at.gold,
    ...(at.memory === undefined ? {} : { memory: at.memory }),
    exposures: at.exposures,
    person: at.name,
    relation,
  };
}
