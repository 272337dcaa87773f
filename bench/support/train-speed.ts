import { gemmStats, resetGemmStats } from "../../src/train/gemm.ts";
import type { Objective } from "../../src/train/train-loop.ts";
import { trainLoop } from "../../src/train/train-loop.ts";
import type { Transformer } from "../../src/train/transformer.ts";
import { median } from "./bench-model.ts";

/** Speed of optimizer steps, each figure a median over the timed steps (the box is noisy). */
export interface TrainingSpeed {
  tokensPerSecond: number;
  /** GFLOP/s of the matrix products (counted by the kernel dispatcher) over a median step. */
  productGflops: number;
  /** Median seconds of one optimizer step. */
  stepSeconds: number;
  /** Share of the timed wall time spent inside onnxruntime calls (the rest is TypeScript). */
  ortShare: number;
  steps: number;
}

/**
 * Times `steps` optimizer steps of `trainLoop` through the public API (so the trainer's own
 * batching applies), after one untimed warm-up step that opens sessions and warms the JIT.
 * `examples` must hold (steps + 1) · batchSize examples.
 */
export async function measureTraining<E>(
  model: Transformer,
  examples: readonly E[],
  objective: Objective<E>,
  {
    batchSize,
    steps,
    lr = 1e-4,
    probe,
  }: {
    batchSize: number;
    steps: number;
    lr?: number;
    /** Run between steps (not timed as part of them): e.g. the GEMM peak under the same load. */
    probe?: () => Promise<void>;
  },
): Promise<TrainingSpeed> {
  await trainLoop(model, examples.slice(0, batchSize), objective, { lr, batchSize });
  resetGemmStats();
  const seconds: number[] = [];
  const rates: number[] = [];
  let started = performance.now();
  let tokensBefore = 0;
  let flops = 0;
  let ortSeconds = 0;
  await trainLoop(model, examples.slice(batchSize), objective, {
    lr,
    batchSize,
    maxSteps: steps,
    shuffle: false,
    onStep: async (info) => {
      const dt = (performance.now() - started) / 1000;
      seconds.push(dt);
      rates.push((info.tokens - tokensBefore) / dt);
      tokensBefore = info.tokens;
      flops += gemmStats.flops;
      ortSeconds += gemmStats.ortSeconds;
      await probe?.();
      resetGemmStats();
      started = performance.now();
    },
  });
  const stepSeconds = median(seconds);
  return {
    tokensPerSecond: median(rates),
    productGflops: flops / seconds.length / stepSeconds / 1e9,
    stepSeconds,
    ortShare: ortSeconds / seconds.reduce((a, b) => a + b, 0),
    steps: seconds.length,
  };
}

/**
 * Training FLOPs per token of a model trained in full (Kaplan et al. 2020): 6·N for the weights,
 * N = every parameter except the token embedding (a lookup) plus the output head (the embedding
 * matrix again when tied), and 6·L·T·d for attention over a window of T tokens (= 12·L·T̄·d with
 * the causal mean context T̄ = T/2: QKᵀ and P·V, forward and twice backward).
 */
export function fullTrainingFlopsPerToken(model: Transformer, window: number): number {
  const c = model.config;
  let n = 0;
  for (const [name, p] of model.params) if (name !== "token_embd.weight") n += p.data.length;
  if (c.tiedOutput) n += c.vocabSize * c.nEmbd;
  return 6 * n + 6 * c.nLayer * window * c.nHead * c.headDim;
}

/**
 * Median step seconds of two variants of the same training run, alternating step by step (A,
 * B, A, B, ...) so that both see the same load: `set(variant)` switches before each step. The
 * first pair is untimed (each variant's first step pays its own warm-up). `examples` must hold
 * 2·(rounds + 1)·batchSize examples.
 */
export async function alternatingSteps<E>(
  model: Transformer,
  examples: readonly E[],
  objective: Objective<E>,
  { batchSize, rounds, set }: { batchSize: number; rounds: number; set: (b: boolean) => void },
): Promise<{ a: number; b: number; rounds: number }> {
  const seconds: [number[], number[]] = [[], []];
  let step = 0;
  set(false);
  let started = performance.now();
  await trainLoop(model, examples, objective, {
    lr: 1e-4,
    batchSize,
    maxSteps: 2 * (rounds + 1),
    shuffle: false,
    onStep: () => {
      if (step >= 2) seconds[step % 2]!.push((performance.now() - started) / 1000);
      step++;
      set(step % 2 === 1);
      started = performance.now();
    },
  });
  set(false);
  return { a: median(seconds[0]!), b: median(seconds[1]!), rounds };
}
