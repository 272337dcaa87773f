import { join } from "node:path";
import type { AbacusSkill } from "../abacus/abacus-skills.ts";
import type { Notation } from "../abacus/digits.ts";
import { trainLoraAdapter } from "./lora-sft.ts";
import { expertTrainingData, moeSkills } from "./moe-items.ts";

/** One expert of the pool: a name and the skills its adapter is fine-tuned on. */
export interface ExpertRecipe {
  name: string;
  skills: readonly AbacusSkill[];
}

/** The specialists (docs/testbed.md, Symbolic-MoE): one or two skills each. */
export const specialistRecipes: readonly ExpertRecipe[] = [
  { name: "reverse", skills: ["reverse"] },
  { name: "count", skills: ["count"] },
  { name: "max-sort", skills: ["max", "sort"] },
];

/** The null world's experts: the same recipe on the uniform mix of the routed skills. */
export const unspecialisedRecipes: readonly ExpertRecipe[] = specialistRecipes.map((_, i) => ({
  name: `mixed-${i + 1}`,
  skills: moeSkills,
}));

/** How every expert is fine-tuned (chorus's trainer, LoRA SFT on `Q: … A:` pairs). */
export interface ExpertTraining {
  examples: number;
  epochs: number;
  lr: number;
  rank: number;
  seed: number;
}

/** Piloted on abacus-1m: ~200 optimizer steps, a minute or two of CPU per expert. */
export const expertTraining: ExpertTraining = {
  examples: 480,
  epochs: 3,
  lr: 3e-3,
  rank: 8,
  seed: 1,
};

/** What training one expert did. */
export interface TrainedExpert {
  name: string;
  skills: readonly AbacusSkill[];
  adapter: string;
  steps: number;
  loss: number;
  seconds: number;
}

/**
 * Fine-tunes a LoRA adapter (all linear layers) of `basePath` on `recipe`'s skills and writes it
 * to `<dir>/<name>.lora.gguf`. Each expert draws its own data stream (seeded by the training seed,
 * its index and its skills), so unspecialised experts are different models of one recipe. The
 * data are in the base model's `notation`.
 */
export async function trainExpert(
  basePath: string,
  recipe: ExpertRecipe,
  index: number,
  training: ExpertTraining,
  dir: string,
  notation: Notation = "msb-first",
): Promise<TrainedExpert> {
  const data = expertTrainingData(
    recipe.skills,
    training.examples,
    training.seed * 100 + index,
    notation,
  );
  const result = await trainLoraAdapter(
    basePath,
    data,
    { ...training, seed: training.seed + index },
    join(dir, `${recipe.name}.lora.gguf`),
  );
  return { name: recipe.name, skills: recipe.skills, ...result };
}
