import { join } from "node:path";
import type { AtlasWorld } from "../atlas/atlas-world.ts";
import { trainLoraAdapter } from "./lora-sft.ts";
import { type MammRole, roleTrainingPairs } from "./mamm-roles.ts";

/** One adapter the demo trains: its name, role, and the shipped base model it adapts. */
export interface AdapterRecipe {
  name: string;
  role: MammRole;
  base: "atlas-1m" | "atlas-mini";
}

/** The design's agents: detectors of two families, the rest on atlas-1m. */
export const adapterRecipes: readonly AdapterRecipe[] = [
  { name: "det-1m", role: "detector", base: "atlas-1m" },
  { name: "det-mini", role: "detector", base: "atlas-mini" },
  { name: "critic", role: "critic", base: "atlas-1m" },
  { name: "selector", role: "selector", base: "atlas-1m" },
  { name: "editor", role: "editor", base: "atlas-1m" },
];

/** How every adapter is fine-tuned (LoRA SFT, chorus's trainer). */
export interface AdapterTraining {
  /** Training pairs per adapter. */
  examples: number;
  epochs: number;
  lr: number;
  rank: number;
  seed: number;
}

/** What training one adapter did. */
export interface TrainedAdapter extends AdapterRecipe {
  adapter: string;
  steps: number;
  loss: number;
  seconds: number;
}

/**
 * Fine-tunes a LoRA adapter (r `rank`, all linear layers) of `basePath` on `recipe`'s role pairs
 * (drawn from the role's own stream of the training seed) and writes `<dir>/<name>.lora.gguf`.
 */
export async function trainAdapter(
  world: AtlasWorld,
  basePath: string,
  recipe: AdapterRecipe,
  index: number,
  training: AdapterTraining,
  dir: string,
): Promise<TrainedAdapter> {
  // both detectors learn from the same pairs: the families differ, the data do not
  const data = roleTrainingPairs(world, recipe.role, training.seed, training.examples);
  const trained = await trainLoraAdapter(
    basePath,
    data,
    {
      epochs: training.epochs,
      lr: training.lr,
      rank: training.rank,
      seed: training.seed + index,
      batchSize: 8,
      gradientAccumulation: 1,
      maxLength: 192,
    },
    join(dir, `${recipe.name}.lora.gguf`),
  );
  return {
    ...recipe,
    adapter: trained.adapter,
    steps: trained.steps,
    loss: trained.loss,
    seconds: trained.seconds,
  };
}
