import { Trainable } from "../../train/trainable.ts";

/** How a demo fine-tunes a LoRA adapter of a testbed model (chorus's trainer, SFT). */
export interface LoraSftRecipe {
  epochs: number;
  lr: number;
  rank: number;
  /** LoRA initialisation and batch order. */
  seed: number;
  /** Default 4. */
  batchSize?: number;
  /** Default 2. */
  gradientAccumulation?: number;
  /** Longest example in tokens (default: the trainer's, the model's context). */
  maxLength?: number;
}

/** What one adapter's training did. */
export interface LoraSftResult {
  adapter: string;
  steps: number;
  firstLoss: number;
  loss: number;
  seconds: number;
}

/**
 * LoRA SFT of `basePath` on prompt/completion pairs (all linear layers, alpha 2·rank, batch 4 ×
 * 2 accumulation unless the recipe says otherwise, cosine with 10% warm-up), written to
 * `adapterPath`. The demos' one training
 * recipe, so their adapters differ only in data and sizes.
 */
export async function trainLoraAdapter(
  basePath: string,
  data: readonly { prompt: string; completion: string }[],
  recipe: LoraSftRecipe,
  adapterPath: string,
): Promise<LoraSftResult> {
  const trainable = await Trainable.load(basePath, {
    lora: {
      rank: recipe.rank,
      alpha: 2 * recipe.rank,
      targets: ["attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"],
      seed: recipe.seed,
    },
  });
  try {
    const batchSize = recipe.batchSize ?? 4;
    const gradientAccumulation = recipe.gradientAccumulation ?? 2;
    const totalSteps = Math.ceil(data.length / (batchSize * gradientAccumulation)) * recipe.epochs;
    const session = trainable.session({
      lr: recipe.lr,
      totalSteps,
      warmupSteps: Math.round(0.1 * totalSteps),
      schedule: "cosine",
      batchSize,
      gradientAccumulation,
      seed: recipe.seed,
    });
    const result = await session.sft([...data], {
      epochs: recipe.epochs,
      ...(recipe.maxLength ? { maxLength: recipe.maxLength } : {}),
    });
    await trainable.saveAdapter(adapterPath);
    return {
      adapter: adapterPath,
      steps: result.steps,
      firstLoss: result.losses[0] ?? Number.NaN,
      loss: result.losses.at(-1) ?? Number.NaN,
      seconds: result.seconds,
    };
  } finally {
    await trainable.close();
  }
}
