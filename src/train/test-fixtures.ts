/**
 * Tiny models and data the training tests share (test code only): small enough that a test
 * trains or checks gradients in milliseconds, with the shapes the code branches on.
 */
import assert from "node:assert/strict";
import { SeededRandom } from "../math/seeded-random.ts";
import type { Arr } from "./array.ts";
import { addLora } from "./lora.ts";
import type { Param } from "./param.ts";
import { randomTransformer } from "./random-model.ts";
import type { Transformer, TransformerConfig } from "./transformer.ts";

/** A two-block llama, 16-token vocabulary, two heads of width 4: the training tests' model. */
export const tinyLlama: TransformerConfig = {
  arch: "llama",
  vocabSize: 16,
  nEmbd: 8,
  nLayer: 2,
  nHead: 2,
  nHeadKv: 2,
  headDim: 4,
  nFf: 12,
  normEps: 1e-5,
  ropeBase: 10000,
  ropeDims: 4,
  ropeType: "normal",
  tiedOutput: false,
};

/** Grouped-query attention (4 query heads share 2 key/value heads), 11-token vocabulary. */
export const tinyGqaLlama: TransformerConfig = { ...tinyLlama, vocabSize: 11, nHead: 4, nFf: 6 };

/** `tinyGqaLlama` as qwen2: QKV biases, half-split RoPE, output head tied to the embedding. */
export const tinyGqaQwen: TransformerConfig = {
  ...tinyGqaLlama,
  arch: "qwen2",
  ropeType: "neox",
  tiedOutput: true,
};

/** Three SFT examples of different lengths, the completion starting at different tokens. */
export const tinySftData = [
  { tokens: [1, 3, 5, 7, 9], start: 2 },
  { tokens: [1, 4, 6, 8], start: 1 },
  { tokens: [1, 2, 11, 12, 13, 14], start: 3 },
];

/**
 * `tinyLlama` with rank-2 LoRA (dropout 0.1) on attn_q and ffn_up: the same weights every call,
 * so two models trained differently can be compared weight for weight.
 */
export function tinyLoraLlama(): Transformer {
  const model = randomTransformer(tinyLlama, 8);
  addLora(model, { rank: 2, targets: ["attn_q", "ffn_up"], dropout: 0.1, seed: 4 });
  return model;
}

/** A plain copy of the model's trainable weights, for deepEqual between two models. */
export function trainableWeights(model: Transformer): number[][] {
  return model.trainableParams().map((p) => Array.from(p.data));
}

/** A fixed random direction r: the loss Σ r ⊙ logits has dL/dlogits = r, so every output counts. */
export function projection(n: number, seed = 99): Float64Array {
  const rng = new SeededRandom(seed);
  return Float64Array.from({ length: n }, () => rng.normal());
}

/** Σ r ⊙ logits: the scalar loss whose gradient checks use `projection`'s r. */
export function projectedLoss(logits: Arr, r: Float64Array): number {
  let s = 0;
  for (let i = 0; i < logits.length; i++) s += logits[i]! * r[i]!;
  return s;
}

/**
 * Compares the analytic gradient already in each parameter's `grad` with central differences of
 * `loss` (recomputed with the current weights) at `samples` random entries per parameter.
 */
export async function checkFiniteDifferences(
  params: readonly Param[],
  loss: () => Promise<number>,
  options: { samples: number; tolerance: number },
): Promise<void> {
  const rng = new SeededRandom(7);
  const h = 1e-5;
  for (const p of params) {
    for (let s = 0; s < options.samples; s++) {
      const i = rng.int(p.data.length);
      const old = p.data[i]!;
      p.data[i] = old + h;
      const up = await loss();
      p.data[i] = old - h;
      const down = await loss();
      p.data[i] = old;
      const numeric = (up - down) / (2 * h);
      const analytic = (p.grad as Arr)[i]!;
      const rel =
        Math.abs(numeric - analytic) / Math.max(Math.abs(numeric), Math.abs(analytic), 1e-6);
      assert.ok(
        rel <= options.tolerance,
        `${p.name}[${i}]: analytic ${analytic} vs numeric ${numeric} (rel ${rel})`,
      );
    }
  }
}
