import { SeededRandom } from "../math/seeded-random.ts";
import { ConfigError } from "../model/errors.ts";
import { AdamW, gradNorm, scaleGrads, zeroGrads } from "./adamw.ts";
import { loadCheckpoint, saveCheckpoint, type TrainState } from "./checkpoint.ts";
import { learningRate } from "./lr-schedule.ts";
import type { Param } from "./param.ts";
import type { Transformer } from "./transformer.ts";
import { restoreParams, snapshotParams, type WeightsSnapshot } from "./weights-snapshot.ts";

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
  /** Optimizer steps taken by the session so far (this one included). */
  step: number;
  /** The session step at which the current `train` call ends. */
  totalSteps: number;
  epoch: number;
  loss: number;
  lr: number;
  gradNorm: number;
  tokens: number;
  tokensPerSecond: number;
  /** Seconds left in the current `train` call at the current pace. */
  etaSeconds: number;
  metrics: Record<string, number>;
}

/** An epoch (one pass over a `train` call's examples) has just ended. */
export interface EpochInfo {
  epoch: number;
  step: number;
  /** Mean loss of the epoch's steps taken in this call. */
  loss: number;
}

/** Settings fixed for the session's life: optimizer, schedule, batching, seed. */
export interface SessionOptions {
  lr?: number;
  weightDecay?: number;
  /**
   * Optimizer steps the learning-rate schedule spans over all `train` calls together. Required
   * for "cosine" and "linear" (the default when it is given); without it the LR is constant.
   */
  totalSteps?: number;
  warmupSteps?: number;
  schedule?: "cosine" | "linear" | "constant";
  minLrRatio?: number;
  /** Clip the global gradient norm to this (0 = off; default 1). */
  maxGradNorm?: number;
  seed?: number;
  /** Examples per micro-batch (one objective call). */
  batchSize?: number;
  /** Micro-batches per optimizer step. */
  gradientAccumulation?: number;
  /** Shuffle the examples each epoch (default true). */
  shuffle?: boolean;
}

/** One `train` call: how long (steps or epochs), callbacks, checkpoints. */
export interface SessionTrainOptions {
  /** Optimizer steps to take (give this or `epochs`). */
  steps?: number;
  /** Passes over the examples (default 1 when `steps` is not given). */
  epochs?: number;
  /** Called (and awaited) after every optimizer step. */
  onStep?: (info: StepInfo) => void | Promise<void>;
  /** Called (and awaited) after the last step of every epoch. */
  onEpoch?: (info: EpochInfo) => void | Promise<void>;
  signal?: AbortSignal;
  /** Save a checkpoint here every `checkpointEvery` steps and at the end of the call. */
  checkpointDir?: string;
  checkpointEvery?: number;
  /**
   * These examples are new data (LASeR's pairs of one batch): start a new epoch at their
   * beginning even right after `loadCheckpoint`, whose saved data position belongs to the data
   * the saved run was on.
   */
  newData?: boolean;
}

/** What one `train` call did. */
export interface SessionTrainResult {
  /** Optimizer steps taken in this call. */
  steps: number;
  /** The session's step count after the call. */
  step: number;
  /** Loss of each step of this call. */
  losses: number[];
  tokens: number;
  seconds: number;
}

/** Weights plus, when asked for, the optimizer and loop state (schedule position, RNG, data). */
export interface SessionSnapshot extends WeightsSnapshot {
  readonly optimizer?: {
    readonly step: number;
    readonly m: ReadonlyMap<string, Float64Array>;
    readonly v: ReadonlyMap<string, Float64Array>;
    readonly state: TrainState;
  };
}

const positiveInt = (v: number | undefined, field: string, zero = false): void => {
  if (v === undefined) return;
  if (!Number.isInteger(v) || v < (zero ? 0 : 1))
    throw new ConfigError(
      `${field} must be a ${zero ? "non-negative" : "positive"} integer, got ${v}`,
      field,
    );
};

/**
 * Training that keeps its state between calls: AdamW moments, the learning-rate schedule's
 * position, the dropout RNG and where it is in the data. Methods that train inside loops
 * (PBT, LASeR, DataEnvGym) train some steps, evaluate, and train more without restarting
 * warmup or losing the moments. `trainLoop` is one session with one call.
 *
 * Data position: a call with the same examples array as the previous call continues where that
 * one stopped in the epoch; a call with another array starts a new epoch at its beginning.
 */
export class TrainingSession {
  readonly optimizer: AdamW;
  readonly params: Param[];
  private readonly rng: SeededRandom;
  private state: TrainState;
  private data: readonly unknown[] | undefined;
  private resumed = false;
  private readonly schedule: {
    lr: number;
    totalSteps: number;
    warmupSteps: number;
    kind: "cosine" | "linear" | "constant";
    minLrRatio: number;
  };

  constructor(
    readonly model: Transformer,
    readonly options: SessionOptions = {},
  ) {
    const o = options;
    positiveInt(o.totalSteps, "totalSteps", true);
    positiveInt(o.warmupSteps, "warmupSteps", true);
    positiveInt(o.batchSize, "batchSize");
    positiveInt(o.gradientAccumulation, "gradientAccumulation");
    if (o.lr !== undefined && !(Number.isFinite(o.lr) && o.lr > 0))
      throw new ConfigError(`lr must be a positive number, got ${o.lr}`, "lr");
    const kind = o.schedule ?? (o.totalSteps === undefined ? "constant" : "cosine");
    if (kind !== "constant" && o.totalSteps === undefined)
      throw new ConfigError(
        `a ${kind} schedule needs totalSteps (the optimizer steps of all train calls together) so it stays correct across calls; set totalSteps or use schedule "constant"`,
        "totalSteps",
      );
    this.params = model.trainableParams();
    if (this.params.length === 0)
      throw new Error("the model has no trainable parameters: add LoRA or call enableGrad");
    this.optimizer = new AdamW(this.params, { weightDecay: o.weightDecay ?? 0 });
    this.schedule = {
      lr: o.lr ?? 1e-4,
      totalSteps: o.totalSteps ?? 0,
      warmupSteps: o.warmupSteps ?? 0,
      kind,
      minLrRatio: o.minLrRatio ?? 0,
    };
    this.rng = new SeededRandom(o.seed ?? 0);
    this.state = { step: 0, epoch: 0, cursor: 0, rngState: this.rng.state, losses: [] };
  }

  /** Optimizer steps taken so far (the schedule's position). */
  get step(): number {
    return this.state.step;
  }

  /** Loss of every step the session has taken. */
  get losses(): readonly number[] {
    return this.state.losses;
  }

  /** The learning rate the next step will use. */
  get lr(): number {
    return learningRate(this.schedule, this.state.step);
  }

  /** Optimizer steps one epoch over `n` examples takes with this session's batching. */
  stepsPerEpoch(n: number): number {
    const micro = Math.ceil(n / (this.options.batchSize ?? 1));
    return Math.max(1, Math.ceil(micro / (this.options.gradientAccumulation ?? 1)));
  }

  /**
   * Restores weights, optimizer moments and loop state from `dir` when it holds a checkpoint
   * (returns its state); the next `train` call continues that run's data position.
   */
  async loadCheckpoint(dir: string): Promise<TrainState | undefined> {
    const saved = await loadCheckpoint(dir, this.params, this.optimizer);
    if (!saved) return undefined;
    this.state = saved;
    this.rng.state = saved.rngState;
    this.resumed = true;
    return { ...saved, losses: [...saved.losses] };
  }

  /** Saves weights, optimizer moments and loop state to `dir` (atomically). */
  async saveCheckpoint(dir: string): Promise<void> {
    this.state.rngState = this.rng.state;
    await saveCheckpoint(dir, this.params, this.optimizer, this.state);
  }

  /**
   * The trainable weights (and with `optimizer: true` the AdamW moments, step and loop state)
   * as an in-memory copy with a content hash of the weights.
   */
  snapshot(options: { optimizer?: boolean } = {}): SessionSnapshot {
    const weights = snapshotParams(this.params);
    if (!options.optimizer) return weights;
    const copy = (m: Map<string, Float64Array>) =>
      new Map([...m].map(([k, v]) => [k, Float64Array.from(v)]));
    return {
      ...weights,
      optimizer: {
        step: this.optimizer.step,
        m: copy(this.optimizer.m),
        v: copy(this.optimizer.v),
        state: { ...this.state, rngState: this.rng.state, losses: [...this.state.losses] },
      },
    };
  }

  /**
   * Writes a snapshot's weights back; when it holds optimizer state (taken with
   * `optimizer: true`) the moments, schedule position, RNG and data position come back too,
   * otherwise they stay as they are.
   */
  restore(snap: SessionSnapshot): void {
    restoreParams(this.params, snap);
    const o = snap.optimizer;
    if (!o) return;
    for (const [k, v] of o.m) this.optimizer.m.get(k)?.set(v);
    for (const [k, v] of o.v) this.optimizer.v.get(k)?.set(v);
    this.optimizer.step = o.step;
    this.state = { ...o.state, losses: [...o.state.losses] };
    this.rng.state = o.state.rngState;
  }

  private order(n: number, epoch: number): number[] {
    const idx = Array.from({ length: n }, (_, i) => i);
    if (this.options.shuffle === false) return idx;
    const r = new SeededRandom(((this.options.seed ?? 0) * 1000003 + epoch) >>> 0);
    for (let i = idx.length - 1; i > 0; i--) {
      const j = r.int(i + 1);
      [idx[i], idx[j]] = [idx[j]!, idx[i]!];
    }
    return idx;
  }

  /** How many steps a call with these options takes; a clear error before any work. */
  private plannedSteps(n: number, o: SessionTrainOptions): number {
    if (n === 0) throw new Error("training set is empty");
    positiveInt(o.steps, "steps", true);
    positiveInt(o.epochs, "epochs", true);
    positiveInt(o.checkpointEvery, "checkpointEvery", true);
    if (o.steps !== undefined && o.epochs !== undefined)
      throw new ConfigError("give steps or epochs, not both", "steps");
    const steps = o.steps ?? this.stepsPerEpoch(n) * (o.epochs ?? 1);
    const total = this.options.totalSteps;
    // A zero-step call is a no-op even past the schedule: a staged run resumed from a later
    // stage's checkpoint asks its finished earlier stages for no steps.
    if (total !== undefined && steps > 0 && this.state.step + steps > total)
      throw new ConfigError(
        `this call would end at step ${this.state.step + steps}, past the session's totalSteps ${total} (the schedule would be over); create the session with a larger totalSteps`,
        "totalSteps",
      );
    return steps;
  }

  /** Trains `steps` optimizer steps (or `epochs` passes) of `objective` on `examples`. */
  async train<E>(
    examples: readonly E[],
    objective: Objective<E>,
    options: SessionTrainOptions = {},
  ): Promise<SessionTrainResult> {
    const steps = this.plannedSteps(examples.length, options);
    const state = this.state;
    if (this.resumed && !options.newData) this.resumed = false;
    else if (options.newData || examples !== this.data) {
      if (this.data !== undefined || this.resumed) state.epoch++;
      this.resumed = false;
      state.cursor = 0;
    }
    this.data = examples;
    const batchSize = this.options.batchSize ?? 1;
    const accum = this.options.gradientAccumulation ?? 1;
    const params = this.params;
    const startStep = state.step;
    const end = startStep + steps;
    const started = performance.now();
    let tokens = 0;
    let epochLoss = 0;
    let epochSteps = 0;
    let perm = this.order(examples.length, state.epoch);
    while (state.step < end) {
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
          perm = this.order(examples.length, state.epoch);
        }
        const batch = perm.slice(state.cursor, state.cursor + batchSize).map((i) => examples[i]!);
        state.cursor += batch.length;
        const r = await objective(this.model, batch, { rng: this.rng, step: state.step });
        lossSum += r.loss;
        tokens += r.tokens;
        micro++;
        for (const [k, v] of Object.entries(r.metrics ?? {})) metrics[k] = (metrics[k] ?? 0) + v;
      }
      for (const k of Object.keys(metrics)) metrics[k]! /= micro;
      if (micro > 1) scaleGrads(params, 1 / micro);
      const norm = gradNorm(params);
      const clip = this.options.maxGradNorm ?? 1;
      if (clip > 0 && norm > clip) scaleGrads(params, clip / norm);
      const lr = learningRate(this.schedule, state.step);
      this.optimizer.update(lr);
      state.step++;
      const loss = lossSum / micro;
      state.losses.push(loss);
      state.rngState = this.rng.state;
      const seconds = (performance.now() - started) / 1000;
      await options.onStep?.({
        step: state.step,
        totalSteps: end,
        epoch: state.epoch,
        loss,
        lr,
        gradNorm: norm,
        tokens,
        tokensPerSecond: tokens / Math.max(seconds, 1e-9),
        etaSeconds: (seconds / (state.step - startStep)) * (end - state.step),
        metrics,
      });
      epochLoss += loss;
      epochSteps++;
      if (state.cursor >= perm.length) {
        await options.onEpoch?.({
          epoch: state.epoch,
          step: state.step,
          loss: epochLoss / epochSteps,
        });
        epochLoss = 0;
        epochSteps = 0;
      }
      const every = options.checkpointEvery ?? 0;
      if (options.checkpointDir && ((every > 0 && state.step % every === 0) || state.step === end))
        await this.saveCheckpoint(options.checkpointDir);
    }
    return {
      steps: state.step - startStep,
      step: state.step,
      losses: state.losses.slice(startStep),
      tokens,
      seconds: (performance.now() - started) / 1000,
    };
  }
}
