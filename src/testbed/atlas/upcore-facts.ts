import type { ForgetItem } from "../../methods/upcore/select-coreset.ts";
import { atlasExposures } from "./atlas-corpus.ts";
import { type Relation, relationNames } from "./atlas-lexicon.ts";
import { fill, heldOutQuestion, questionTemplates, trainingQuestions } from "./atlas-templates.ts";
import type { AtlasWorld } from "./atlas-world.ts";
import { evalRandom, itemId } from "./eval-facts.ts";

/** A known person's fact as an unlearning item: a closed-book prompt and the world's value. */
export interface UpcoreFact extends ForgetItem {
  person: number;
  relation: Relation;
  /** Which training question template asked it (0–2). */
  template: number;
  /** The same fact in the held-out template: the paraphrase probe. */
  paraphrase: string;
  exposures: number;
}

/**
 * Every fact of the world's known people as `Q: <question> A:` → value. Each fact is asked in one
 * of the corpus's training question templates, drawn per fact with `evalSeed` (so forget sets mix
 * wordings and have outliers to prune), or always template 0 with `oneTemplate` (UPCORE's null
 * world: homogeneous forget sets).
 */
export function upcoreFacts(
  world: AtlasWorld,
  evalSeed: number,
  options: { oneTemplate?: boolean } = {},
): UpcoreFact[] {
  const rng = evalRandom(evalSeed, "upcore-templates");
  const { counts } = atlasExposures(world);
  return world.people.flatMap((p, i) =>
    relationNames.map((relation, r) => {
      const k = i * relationNames.length + r;
      const template = options.oneTemplate
        ? 0
        : trainingQuestions[rng.int(trainingQuestions.length)]!;
      return {
        id: itemId("upcore", k),
        question: `Q: ${fill(questionTemplates[relation][template]!, p.name)} A:`,
        answer: p.facts[relation],
        person: i,
        relation,
        template,
        paraphrase: `Q: ${fill(questionTemplates[relation][heldOutQuestion]!, p.name)} A:`,
        exposures: counts[k]!,
      };
    }),
  );
}
