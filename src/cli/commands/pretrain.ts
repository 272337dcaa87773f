import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { UsageError } from "../../model/errors.ts";
import { parseCorpus } from "../../train/corpus.ts";
import { readJsonl } from "../../train/data.ts";
import { planPretrain, pretrain } from "../../train/pretrain.ts";
import { type PretrainShape, pretrainPresets } from "../../train/pretrain-shape.ts";
import { integerArg, numberArg } from "../model-options.ts";
import { checkOutputPath } from "../output-path.ts";
import {
  addTrainRunOptions,
  applyTrainRunFlags,
  openTrainRun,
  optimizerOptions,
  reportTrainRun,
  stepLogger,
  type TrainRunFlags,
} from "./train-run.ts";

interface PretrainFlags extends TrainRunFlags {
  data?: string;
  out?: string;
  preset: string;
  arch?: string;
  layers?: number;
  dim?: number;
  heads?: number;
  kvHeads?: number;
  ffn?: number;
  seqLen?: number;
  untiedOutput?: boolean;
  vocabSize?: number;
  tokenizer?: string;
  type: string;
  epochs?: number;
}

const examples = `
Examples:
  # a ~1M-parameter llama from scratch on {"text": "..."} lines, vocabulary built from the corpus
  $ chorus train pretrain --data corpus.jsonl --out model.gguf --preset 1m --epochs 20 --lr 3e-3

  # choose the shape; reuse another model's vocabulary; store the matrices as Q8_0
  $ chorus train pretrain --data corpus.jsonl --out model.gguf --layers 2 --dim 64 --heads 4 \\
      --kv-heads 2 --ffn 256 --seq-len 64 --tokenizer other.gguf --type Q8_0

  # continue a stopped run (its flags are read from the run folder), here to 2000 steps
  $ chorus train pretrain --resume runs/<id> --max-steps 2000

  # read it back
  $ chorus generate --model model.gguf --raw "the pet of zoka ri is a"

Each line is one document: BOS + text + EOS, one training sequence (longer than --seq-len is an
error). The vocabulary makes every whitespace-separated word of the corpus one token (the
smallest multiple of 256 that fits, or --vocab-size). Progress on stderr, summary JSON on stdout,
run folder with config.json, init.gguf, train-steps.jsonl and checkpoint/. See docs/training.md.
`;

/** Flags `--resume` may change; every other setting comes from the run folder. */
const resumable = ["maxSteps", "epochs", "threads", "checkpointEvery"] as const;

function shapeOf(flags: PretrainFlags): PretrainShape {
  const preset = pretrainPresets[flags.preset as keyof typeof pretrainPresets];
  if (!preset) {
    throw new UsageError(
      `--preset must be one of ${Object.keys(pretrainPresets).join(", ")}, got "${flags.preset}"`,
    );
  }
  return {
    arch: (flags.arch ?? preset.arch) as PretrainShape["arch"],
    layers: flags.layers ?? preset.layers,
    dim: flags.dim ?? preset.dim,
    heads: flags.heads ?? preset.heads,
    kvHeads: flags.kvHeads ?? preset.kvHeads,
    ffn: flags.ffn ?? preset.ffn,
    seqLen: flags.seqLen ?? preset.seqLen,
    tiedEmbeddings: !flags.untiedOutput,
  };
}

/** The flags of the run being resumed, with the few the command line may change. */
function resumedFlags(dir: string, given: PretrainFlags, command: Command): PretrainFlags {
  let saved: PretrainFlags;
  try {
    const manifest = JSON.parse(readFileSync(join(dir, "config.json"), "utf8")) as {
      config: PretrainFlags & { command?: string };
    };
    if (manifest.config.command !== "train pretrain") throw new Error("not a pretrain run");
    saved = manifest.config;
  } catch {
    throw new UsageError(
      `--resume ${dir} is not a chorus train pretrain run folder (no readable config.json from train pretrain)`,
    );
  }
  const merged = { ...saved, resume: dir };
  for (const key of resumable) {
    if (command.getOptionValueSource(key) === "cli") {
      (merged as Record<string, unknown>)[key] = given[key];
    }
  }
  return merged;
}

async function runPretrain(given: PretrainFlags, command: Command): Promise<void> {
  const flags = given.resume ? resumedFlags(given.resume, given, command) : given;
  if (!flags.data || !flags.out) {
    throw new UsageError(
      "--data <corpus.jsonl> and --out <model.gguf> are required (or --resume <run folder>)",
    );
  }
  checkOutputPath(flags.out);
  if (flags.type !== "F32" && flags.type !== "Q8_0") {
    throw new UsageError(`--type must be F32 or Q8_0, got "${flags.type}"`);
  }
  await applyTrainRunFlags(flags);
  // Every input check (shape, corpus lines, vocabulary size) runs before the run folder exists.
  const shape = shapeOf(flags);
  const texts = parseCorpus(await readJsonl(flags.data), flags.data);
  const plan = await planPretrain(texts, {
    shape,
    ...(flags.vocabSize !== undefined ? { vocabSize: flags.vocabSize } : {}),
    ...(flags.tokenizer !== undefined ? { tokenizer: flags.tokenizer } : {}),
  });
  const { resume: _, ...config } = flags;
  const run = openTrainRun(flags, { command: "train pretrain", ...config, shape });
  process.stderr.write(
    `${plan.parameters} parameters, vocabulary ${plan.vocabSize} (${
      plan.words !== undefined
        ? `${plan.wordsInVocab}/${plan.words} corpus words are one token`
        : `from ${plan.vocabSource}`
    })\n`,
  );
  try {
    const result = await pretrain(plan, texts, {
      ...optimizerOptions(flags),
      dir: run.dir,
      out: flags.out,
      file: flags.data,
      type: flags.type,
      // --max-steps alone is the budget: as many passes as it takes
      epochs: flags.epochs ?? (flags.maxSteps !== undefined ? Number.MAX_SAFE_INTEGER : 1),
      onStep: stepLogger(run),
    });
    const fields = {
      output: flags.out,
      parameters: plan.parameters,
      vocabSize: plan.vocabSize,
      ...(plan.words !== undefined ? { words: plan.words, wordsInVocab: plan.wordsInVocab } : {}),
      documents: result.documents,
    };
    reportTrainRun(run, `train-pretrain-${result.steps}`, fields, result);
  } finally {
    run.close();
  }
}

/** `chorus train pretrain`: a llama/qwen2 model from random initialisation on a text corpus. */
export function registerPretrain(train: Command): void {
  const sub = train
    .command("pretrain")
    .description('train a new small model from scratch on {"text": "..."} JSON lines')
    .addHelpText("after", examples)
    .option("--data <jsonl>", 'corpus: one {"text": "..."} document per line')
    .option("--out <model.gguf>", "where to write the trained model")
    .option(
      "--preset <name>",
      `shape to start from: ${Object.keys(pretrainPresets).join(" | ")}`,
      "1m",
    )
    .option("--arch <name>", "llama | qwen2 (default: the preset's, llama)")
    .option("--layers <n>", "transformer blocks", integerArg(1))
    .option("--dim <n>", "embedding width", integerArg(1))
    .option("--heads <n>", "attention heads (--dim/--heads must be even)", integerArg(1))
    .option("--kv-heads <n>", "key/value heads (divides --heads)", integerArg(1))
    .option("--ffn <n>", "feed-forward width", integerArg(1))
    .option(
      "--seq-len <n>",
      "longest document in tokens (BOS and EOS excluded: + 1)",
      integerArg(2),
    )
    .option("--untied-output", "a separate output head instead of the tied token embedding")
    .option(
      "--vocab-size <n>",
      "vocabulary size (default: fits every corpus word, rounded to 256)",
      integerArg(1),
    )
    .option("--tokenizer <gguf>", "use this GGUF's vocabulary instead of building one")
    .option("--type <F32|Q8_0>", "matrix type of the written model", "F32")
    .option(
      "--epochs <n>",
      "passes over the corpus (default 1, or as many as --max-steps takes)",
      integerArg(1),
    )
    .option("--max-steps <n>", "stop after this many optimizer steps", integerArg(1))
    .option("--lr <x>", "peak learning rate", numberArg(0), 3e-3)
    .option(
      "--batch-size <n>",
      "documents per micro-batch (one batched forward)",
      integerArg(1),
      16,
    )
    .option("--grad-accum <n>", "micro-batches per optimizer step", integerArg(1), 1)
    .option("--seed <n>", "seed (initial weights, shuffling)", integerArg(), 0)
    .option("--warmup <n>", "warmup steps", integerArg(0), 10);
  addTrainRunOptions(sub, "continue a stopped run from its checkpoint (its flags are reused)");
  sub.action(async (flags: PretrainFlags, command: Command) => {
    await runPretrain(flags, command);
  });
}
