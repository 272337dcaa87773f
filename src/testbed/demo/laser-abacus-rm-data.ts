/** The RM adapters' data: base-model samples of a family's prompts, labelled exactly. */
import { deriveSeed } from "../../math/seeded-random.ts";
import type { LanguageModel } from "../../model/language-model.ts";
import { type AbacusLaserItem, isRight, laserSampleTokens } from "./laser-abacus-items.ts";
import { ormText } from "./laser-abacus-rms.ts";

/** `k` samples per prompt at T 0.8 from the base model, first task up to the next `Q:`. */
export async function policySamples(
  model: LanguageModel,
  items: readonly AbacusLaserItem[],
  k: number,
  seed: number,
): Promise<string[][]> {
  const out: string[][] = [];
  for (const [i, item] of items.entries()) {
    const r = await model.generate({
      prompt: item.prompt,
      n: k,
      temperature: 0.8,
      maxTokens: laserSampleTokens,
      stop: ["\nQ:"],
      seed: deriveSeed(seed, `laser-rm-sample-${i}`),
    });
    out.push(r.generations.map((g) => g.text));
  }
  return out;
}

/** ORM examples: every sample and the gold completion, ` +` iff its answer is exactly right. */
export function ormExamples(items: readonly AbacusLaserItem[], samples: readonly string[][]) {
  return items.flatMap((item, i) =>
    [...samples[i]!, ` ${item.gold}`].map((text) => ({
      prompt: ormText(item.prompt, text),
      completion: isRight(item, text) ? " +" : " -",
    })),
  );
}
