/**
 * Tiny models and data the training tests share (test code only): small enough that a test
 * trains or checks gradients in milliseconds, with the shapes the code branches on.
 */
import { addLora } from "./lora.ts";
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
