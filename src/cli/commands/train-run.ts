/**
 * The run folder of the training commands (`train sft|dpo`, `train pretrain`): the optimizer and
 * folder flags they share, opening the folder, the per-step log and the summary line. One home,
 * so train-steps.jsonl and the summary read the same whichever command wrote them.
 */
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { UsageError } from "../../model/errors.ts";
import { Run } from "../../runtime/index.ts";
import type { StepInfo, TrainOptions, TrainResult } from "../../train/train-loop.ts";
import { integerArg, numberArg } from "../model-options.ts";
import { progressPrinter } from "./train-progress.ts";

/** The flags every training command reads, however it spells its other ones. */
export interface TrainRunFlags {
  maxSteps?: number;
  lr: number;
  batchSize: number;
  gradAccum: number;
  seed: number;
  warmup: number;
  schedule: string;
  weightDecay: number;
  maxGradNorm: number;
  checkpointEvery: number;
  threads?: number;
  runsDir?: string;
  runDir?: string;
  resume?: string;
}

const schedules = ["cosine", "linear", "constant"] as const;

/** Adds the shared tail of a training command's flags, from --schedule to --resume. */
export function addTrainRunOptions(command: Command, resumeHelp: string): Command {
  return command
    .option("--schedule <kind>", schedules.join(" | "), "cosine")
    .option("--weight-decay <x>", "AdamW weight decay", numberArg(0), 0)
    .option("--max-grad-norm <x>", "gradient clipping (0 = off)", numberArg(0), 1)
    .option(
      "--checkpoint-every <n>",
      "steps between checkpoints (0 = only at the end)",
      integerArg(0),
      0,
    )
    .option("--threads <n>", "onnxruntime threads for matrix products", integerArg(1))
    .option("--runs-dir <dir>", "where new run folders go (default ./runs)")
    .option("--run-dir <dir>", "the run folder to create (default <runs-dir>/<id>)")
    .option("--resume <dir>", resumeHelp);
}

/** Rejects an unknown --schedule and applies --threads, before any data or model is read. */
export async function applyTrainRunFlags(flags: TrainRunFlags): Promise<void> {
  if (!(schedules as readonly string[]).includes(flags.schedule)) {
    throw new UsageError(`--schedule must be cosine, linear or constant, got "${flags.schedule}"`);
  }
  if (flags.threads !== undefined) {
    const { configureGemm } = await import("../../train/gemm.ts");
    configureGemm({ threads: flags.threads });
  }
}

/** The optimizer settings the flags name, as the training loop takes them. */
export function optimizerOptions(flags: TrainRunFlags): TrainOptions {
  return {
    ...(flags.maxSteps !== undefined ? { maxSteps: flags.maxSteps } : {}),
    lr: flags.lr,
    batchSize: flags.batchSize,
    gradientAccumulation: flags.gradAccum,
    seed: flags.seed,
    warmupSteps: flags.warmup,
    schedule: flags.schedule as (typeof schedules)[number],
    weightDecay: flags.weightDecay,
    maxGradNorm: flags.maxGradNorm,
    checkpointEvery: flags.checkpointEvery,
  };
}

/** Reopens --resume, or creates the run folder (--run-dir, --runs-dir), and names it on stderr. */
export function openTrainRun(flags: TrainRunFlags, config: unknown): Run {
  const run = flags.resume
    ? Run.resume(flags.resume)
    : Run.create({
        config,
        seed: flags.seed,
        argv: process.argv.slice(2),
        ...(flags.runDir ? { dir: flags.runDir } : {}),
        ...(flags.runsDir ? { runsDir: flags.runsDir } : {}),
      });
  process.stderr.write(`run folder: ${run.dir}\n`);
  return run;
}

/**
 * The onStep of a training run: the progress line on stderr and one line of train-steps.jsonl.
 * The line is written synchronously, so the log is complete and in order when training ends.
 */
export function stepLogger(run: Run): (info: StepInfo) => void {
  const print = progressPrinter();
  const path = join(run.dir, "train-steps.jsonl");
  return (info) => {
    print(info);
    appendFileSync(path, `${JSON.stringify({ ...info, time: new Date().toISOString() })}\n`);
  };
}

/**
 * Records the summary (the command's own fields first, then steps, losses, tokens and time) as
 * the run's result and prints it as one JSON line on stdout.
 */
export function reportTrainRun(run: Run, id: string, fields: object, result: TrainResult): void {
  const summary = {
    ...fields,
    steps: result.steps,
    firstLoss: result.losses[0],
    finalLoss: result.losses.at(-1),
    tokens: result.tokens,
    seconds: result.seconds,
    ...(result.resumedFromStep !== undefined ? { resumedFromStep: result.resumedFromStep } : {}),
  };
  run.appendResult({ id, index: 0, result: summary });
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}
