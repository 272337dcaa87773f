import type { StepInfo } from "./training-session.ts";
import { type Objective, TrainingSession } from "./training-session.ts";
import type { Transformer } from "./transformer.ts";

export type {
  EpochInfo,
  Objective,
  ObjectiveResult,
  StepContext,
  StepInfo,
} from "./training-session.ts";

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
  /** Called after every optimizer step; a returned promise is awaited (ordered log writes). */
  onStep?: (info: StepInfo) => void | Promise<void>;
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
 * One TrainingSession, one call: use a session directly to train in several calls.
 */
export async function trainLoop<E>(
  model: Transformer,
  examples: readonly E[],
  objective: Objective<E>,
  options: TrainOptions = {},
): Promise<TrainResult> {
  if (examples.length === 0) throw new Error("training set is empty");
  const base = {
    batchSize: options.batchSize ?? 1,
    gradientAccumulation: options.gradientAccumulation ?? 1,
  };
  const stepsPerEpoch = Math.max(
    1,
    Math.ceil(Math.ceil(examples.length / base.batchSize) / base.gradientAccumulation),
  );
  const totalSteps = Math.min(options.maxSteps ?? Infinity, stepsPerEpoch * (options.epochs ?? 1));
  const session = new TrainingSession(model, {
    ...base,
    totalSteps,
    schedule: options.schedule ?? "cosine",
    ...pick(options, [
      "lr",
      "weightDecay",
      "warmupSteps",
      "minLrRatio",
      "maxGradNorm",
      "seed",
      "shuffle",
    ]),
  });
  const resumedFromStep = options.checkpointDir
    ? (await session.loadCheckpoint(options.checkpointDir))?.step
    : undefined;
  const r = await session.train(examples, objective, {
    steps: Math.max(0, totalSteps - session.step),
    ...pick(options, ["onStep", "signal", "checkpointDir", "checkpointEvery"]),
  });
  const result: TrainResult = {
    steps: r.step,
    losses: [...session.losses],
    tokens: r.tokens,
    seconds: r.seconds,
  };
  if (resumedFromStep !== undefined) result.resumedFromStep = resumedFromStep;
  return result;
}

/** The keys of `o` among `keys` whose values are defined (exactOptionalPropertyTypes). */
function pick<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
