import { SeededRandom } from "../math/seeded-random.ts";
import { AdamW, gradNorm, scaleGrads, zeroGrads } from "./adamw.ts";
import { loadCheckpoint, saveCheckpoint, type TrainState } from "./checkpoint.ts";
import { learningRate } from "./lr-schedule.ts";
import type { Param } from "./param.ts";
import type { Transformer } from "./transformer.ts";

/** What one objective call reports; it must already have run the backward. */
export interface ObjectiveResult {
  loss: number;
  /** Tokens processed by the forward passes (for tokens/s). */
  tokens: number;
  metrics?: Record<string, number>;
}

/** Per-step context handed to objectives (dropout RNG, step number). */
export interface StepContext {
  rng: SeededRandom;
  step: number;
}

/**
 * A training objective over a micro-batch of examples: runs the forwards, computes a loss
 * averaged over the micro-batch, and calls the backward so gradients accumulate.
 */
export type Objective<E> = (
  model: Transformer,
  batch: readonly E[],
  ctx: StepContext,
) => Promise<ObjectiveResult>;

/** Progress of one optimizer step. */
export interface StepInfo {
  step: number;
  totalSteps: number;
  epoch: number;
  loss: number;
  lr: number;
  gradNorm: number;
  tokens: number;
  tokensPerSecond: number;
  /** Seconds left at the current pace. */
  etaSeconds: number;
  metrics: Record<string, number>;
}

export interface TrainOptions {
  epochs?: number;
  /** Stop after this many optimizer steps (overrides epochs' count when smaller). */
  maxSteps?: number;
  /** Examples per micro-batch (one objective call). */
  batchSize?: number;
  /** Micro-batches per optimizer step. */
  gradientAccumulation?: number;
  lr?: number;
  weightDecay?: number;
  warmupSteps?: number;
  schedule?: "cosine" | "linear" | "constant";
  minLrRatio?: number;
  /** Clip the global gradient norm to this (0 = off; default 1). */
  maxGradNorm?: number;
  seed?: number;
  /** Shuffle the examples each epoch (default true). */
  shuffle?: boolean;
  /** Save a checkpoint here every `checkpointEvery` steps and at the end; resume from it. */
  checkpointDir?: string;
  checkpointEvery?: number;
  onStep?: (info: StepInfo) => void;
  signal?: AbortSignal;
}

export interface TrainResult {
  steps: number;
  losses: number[];
  tokens: number;
  seconds: number;
  resumedFromStep?: number;
}

/**
 * Trains `params` (the model's trainable parameters: LoRA factors or full weights) on
 * `examples` with AdamW, warmup + decay schedule, gradient accumulation and clipping.
 * Deterministic for a seed; with `checkpointDir` it resumes where a previous run stopped.
 */
export async function trainLoop<E>(
  model: Transformer,
  examples: readonly E[],
  objective: Objective<E>,
  options: TrainOptions = {},
): Promise<TrainResult> {
  if (examples.length === 0) throw new Error("training set is empty");
  const params: Param[] = model.trainableParams();
  if (params.length === 0)
    throw new Error("the model has no trainable parameters: add LoRA or call enableGrad");
  const batchSize = options.batchSize ?? 1;
  const accum = options.gradientAccumulation ?? 1;
  const epochs = options.epochs ?? 1;
  const microPerEpoch = Math.ceil(examples.length / batchSize);
  const stepsPerEpoch = Math.max(1, Math.ceil(microPerEpoch / accum));
  const totalSteps = Math.min(options.maxSteps ?? Infinity, stepsPerEpoch * epochs);
  const opt = new AdamW(params, { weightDecay: options.weightDecay ?? 0 });
  const schedule = {
    lr: options.lr ?? 1e-4,
    totalSteps,
    warmupSteps: options.warmupSteps ?? 0,
    kind: options.schedule ?? "cosine",
    minLrRatio: options.minLrRatio ?? 0,
  };
  const rng = new SeededRandom(options.seed ?? 0);
  let state: TrainState = { step: 0, epoch: 0, cursor: 0, rngState: rng.state, losses: [] };
  let resumedFromStep: number | undefined;
  if (options.checkpointDir) {
    const saved = await loadCheckpoint(options.checkpointDir, params, opt);
    if (saved) {
      state = saved;
      resumedFromStep = saved.step;
    }
  }
  const order = (epoch: number): number[] => {
    const idx = examples.map((_, i) => i);
    if (options.shuffle === false) return idx;
    const r = new SeededRandom(((options.seed ?? 0) * 1000003 + epoch) >>> 0);
    for (let i = idx.length - 1; i > 0; i--) {
      const j = r.int(i + 1);
      [idx[i], idx[j]] = [idx[j]!, idx[i]!];
    }
    return idx;
  };
  rng.state = state.rngState;
  const started = performance.now();
  let tokens = 0;
  let perm = order(state.epoch);
  while (state.step < totalSteps) {
    options.signal?.throwIfAborted();
    zeroGrads(params);
    let lossSum = 0;
    let micro = 0;
    const metrics: Record<string, number> = {};
    for (let a = 0; a < accum; a++) {
      if (state.cursor >= perm.length) {
        // An epoch boundary ends the accumulation early so each step sees one epoch's data.
        if (micro > 0) break;
        state.epoch++;
        state.cursor = 0;
        perm = order(state.epoch);
      }
      const batch = perm.slice(state.cursor, state.cursor + batchSize).map((i) => examples[i]!);
      state.cursor += batch.length;
      const r = await objective(model, batch, { rng, step: state.step });
      lossSum += r.loss;
      tokens += r.tokens;
      micro++;
      for (const [k, v] of Object.entries(r.metrics ?? {})) metrics[k] = (metrics[k] ?? 0) + v;
    }
    for (const k of Object.keys(metrics)) metrics[k]! /= micro;
    if (micro > 1) scaleGrads(params, 1 / micro);
    const norm = gradNorm(params);
    const clip = options.maxGradNorm ?? 1;
    if (clip > 0 && norm > clip) scaleGrads(params, clip / norm);
    const lr = learningRate(schedule, state.step);
    opt.update(lr);
    state.step++;
    const loss = lossSum / micro;
    state.losses.push(loss);
    state.rngState = rng.state;
    const seconds = (performance.now() - started) / 1000;
    const stepsDone = state.step - (resumedFromStep ?? 0);
    options.onStep?.({
      step: state.step,
      totalSteps,
      epoch: state.epoch,
      loss,
      lr,
      gradNorm: norm,
      tokens,
      tokensPerSecond: tokens / Math.max(seconds, 1e-9),
      etaSeconds: (seconds / stepsDone) * (totalSteps - state.step),
      metrics,
    });
    const every = options.checkpointEvery ?? 0;
    if (
      options.checkpointDir &&
      ((every > 0 && state.step % every === 0) || state.step === totalSteps)
    ) {
      await saveCheckpoint(options.checkpointDir, params, opt, state);
    }
  }
  const result: TrainResult = {
    steps: state.step,
    losses: state.losses,
    tokens,
    seconds: (performance.now() - started) / 1000,
  };
  if (resumedFromStep !== undefined) result.resumedFromStep = resumedFromStep;
  return result;
}
