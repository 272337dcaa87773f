import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Command } from "commander";
import { UsageError } from "../../model/errors.ts";
import {
  type DpoRecord,
  parseDpoRecords,
  parseSftRecords,
  readJsonl,
  type SftRecord,
  toOpenAiJsonl,
  toTrlJsonl,
} from "../../train/data.ts";
import { Trainable } from "../../train/trainable.ts";
import { integerArg, numberArg } from "../model-options.ts";
import { checkOutputPath } from "../output-path.ts";
import { registerPretrain } from "./pretrain.ts";
import {
  addTrainRunOptions,
  applyTrainRunFlags,
  openTrainRun,
  optimizerOptions,
  reportTrainRun,
  stepLogger,
  type TrainRunFlags,
} from "./train-run.ts";

interface TrainFlags extends TrainRunFlags {
  model: string;
  data: string;
  out: string;
  epochs: number;
  rank: number;
  alpha?: number;
  dropout: number;
  targets: string;
  layers?: string;
  full?: boolean;
  maxLength: number;
  beta?: number;
  nllWeight?: number;
}

const examples = `
Examples:
  # LoRA SFT of a local GGUF on {"prompt","completion"} or {"messages"} lines
  $ chorus train sft --model model.gguf --data sft.jsonl --out adapter.gguf \\
      --epochs 3 --lr 1e-3 --rank 8 --alpha 16

  # DPO on {"prompt","chosen","rejected"} lines (TRL's field names); reference = base model
  $ chorus train dpo --model model.gguf --data pairs.jsonl --out dpo.gguf --beta 0.1

  # serve the result
  $ chorus generate --model model.gguf --lora adapter.gguf "Once upon a time"

  # hand a bigger job to TRL or OpenAI fine-tuning
  $ chorus train export --data pairs.jsonl --kind dpo --format openai > openai.jsonl

Progress (loss, tokens/s, ETA) goes to stderr; the run folder (default runs/<id>) holds
config.json, train-steps.jsonl, results.jsonl and a checkpoint that --resume <run folder> continues.
Practical sizes on a 2-core CPU: up to ~135M parameters with LoRA. See docs/training.md.
`;

/** `chorus train dpo --help`: both line formats parseDpoRecords accepts, as TRL writes them. */
const dpoExamples = `
Examples:
  # text lines: {"prompt":"Q: 2+2?\\nA:","chosen":" 4","rejected":" 5"}
  $ chorus train dpo --model model.gguf --data pairs.jsonl --out dpo.gguf --beta 0.1

  # TRL's conversational lines, rendered with the model's chat template:
  #   {"prompt":[{"role":"user","content":"Tell me about the cat."}],
  #    "chosen":[{"role":"assistant","content":"The cat sat on the mat."}],
  #    "rejected":[{"role":"assistant","content":"No."}]}
  # (one line per pair; without "prompt", the turns that chosen and rejected share are the prompt)
  $ chorus train dpo --model model.gguf --data chat-pairs.jsonl --out dpo.gguf --nll-weight 1
`;

function addTrainOptions(command: Command): Command {
  const options = command
    .requiredOption("-m, --model <gguf>", "base model: a llama or qwen2 GGUF file")
    .requiredOption("--data <jsonl>", "training data (JSON lines)")
    .requiredOption("--out <adapter.gguf>", "where to write the trained LoRA adapter")
    .option("--epochs <n>", "passes over the data", integerArg(1), 1)
    .option("--max-steps <n>", "stop after this many optimizer steps", integerArg(1))
    .option("--lr <x>", "peak learning rate", numberArg(0), 1e-4)
    .option("--rank <r>", "LoRA rank", integerArg(1), 8)
    .option("--alpha <a>", "LoRA alpha (default 2·rank)", numberArg(0))
    .option("--dropout <p>", "LoRA dropout", numberArg(0, 0.99), 0)
    .option(
      "--targets <list>",
      "comma-separated LoRA targets (q_proj,... or attn_q,...)",
      "q_proj,k_proj,v_proj,o_proj",
    )
    .option("--layers <list>", "comma-separated layer indices to adapt (default all)")
    .option("--full", "train every weight (tiny models) and write a full F32 GGUF to --out")
    .option("--batch-size <n>", "examples per micro-batch", integerArg(1), 1)
    .option("--grad-accum <n>", "micro-batches per optimizer step", integerArg(1), 1)
    .option(
      "--max-length <n>",
      "longest example in tokens (longer is an error)",
      integerArg(2),
      512,
    )
    .option("--seed <n>", "seed (shuffling, LoRA init, dropout)", integerArg(), 0)
    .option("--warmup <n>", "warmup steps", integerArg(0), 0);
  return addTrainRunOptions(options, "continue a stopped run from its checkpoint");
}

async function runTraining(kind: "sft" | "dpo", flags: TrainFlags): Promise<void> {
  checkOutputPath(flags.out);
  await applyTrainRunFlags(flags);
  // Data first: a bad line fails in milliseconds, before the model loads.
  const rows = await readJsonl(flags.data);
  const sftRecords = kind === "sft" ? parseSftRecords(rows, flags.data) : [];
  const dpoRecords = kind === "dpo" ? parseDpoRecords(rows, flags.data) : [];
  const run = openTrainRun(flags, { command: `train ${kind}`, ...flags });
  const trainable = await Trainable.load(flags.model, {
    lora: flags.full
      ? false
      : {
          rank: flags.rank,
          alpha: flags.alpha ?? 2 * flags.rank,
          dropout: flags.dropout,
          targets: flags.targets
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean),
          ...(flags.layers ? { layers: flags.layers.split(",").map((s) => Number(s.trim())) } : {}),
          seed: flags.seed,
        },
  });
  try {
    run.recordModel("policy", {
      engine: "train",
      file: flags.model,
      sha256: await trainable.modelHash(),
    });
    const options = {
      ...optimizerOptions(flags),
      epochs: flags.epochs,
      maxLength: flags.maxLength,
      checkpointDir: join(run.dir, "checkpoint"),
      file: flags.data,
      onStep: stepLogger(run),
    };
    const result =
      kind === "sft"
        ? await trainable.sft(sftRecords, options)
        : await trainable.dpo(dpoRecords, {
            ...options,
            beta: flags.beta ?? 0.1,
            nllWeight: flags.nllWeight ?? 0,
            cacheDir: join(run.dir, "reference-logprobs"),
          });
    if (flags.full) await trainable.saveModel(flags.out);
    else await trainable.saveAdapter(flags.out);
    reportTrainRun(run, `train-${kind}`, { output: flags.out }, result);
  } finally {
    run.close();
    await trainable.close();
  }
}

/** `chorus train sft|dpo|export`: LoRA fine-tuning on CPU and data export for other trainers. */
export function register(program: Command): void {
  const train = program
    .command("train")
    .description(
      "fine-tune a local GGUF model with LoRA (SFT, DPO), pretrain a tiny one from scratch, or export training data",
    )
    .addHelpText("after", examples);
  for (const kind of ["sft", "dpo"] as const) {
    const sub = train
      .command(kind)
      .description(
        kind === "sft"
          ? 'supervised fine-tuning on {"prompt","completion"} or {"messages"} JSON lines'
          : 'DPO on {"prompt","chosen","rejected"} JSON lines (reference: the base model)',
      );
    addTrainOptions(sub);
    if (kind === "dpo") {
      sub
        .addHelpText("after", dpoExamples)
        .option("--beta <x>", "DPO temperature β", numberArg(0), 0.1)
        .option(
          "--nll-weight <x>",
          "weight of an NLL term on the chosen reply (RPO)",
          numberArg(0),
          0,
        );
    }
    sub.action(async (flags: TrainFlags) => {
      await runTraining(kind, flags);
    });
  }
  registerPretrain(train);
  train
    .command("export")
    .description(
      "convert SFT or DPO JSON lines to TRL or OpenAI fine-tuning JSONL (stdout or --out)",
    )
    .requiredOption("--data <jsonl>", "input data")
    .requiredOption("--kind <sft|dpo>", "what the lines hold")
    .option("--format <trl|openai>", "output format", "trl")
    .option("--out <file>", "write here instead of stdout")
    .action(async (flags: { data: string; kind: string; format: string; out?: string }) => {
      if (flags.kind !== "sft" && flags.kind !== "dpo")
        throw new UsageError(`--kind must be sft or dpo, got "${flags.kind}"`);
      if (flags.format !== "trl" && flags.format !== "openai") {
        throw new UsageError(`--format must be trl or openai, got "${flags.format}"`);
      }
      const rows = await readJsonl(flags.data);
      const records: Array<SftRecord | DpoRecord> = (
        flags.kind === "sft" ? parseSftRecords(rows, flags.data) : parseDpoRecords(rows, flags.data)
      ).map((r) => r.record);
      const text = flags.format === "trl" ? toTrlJsonl(records) : toOpenAiJsonl(records);
      if (flags.out) await writeFile(flags.out, text);
      else process.stdout.write(text);
    });
}
