import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import { loadLlamaCppModel } from "../../engines/llamacpp/index.ts";
import { type PairVariant, pairVariants } from "../../methods/pbt/balance.ts";
import { summarizePersuasion } from "../../methods/pbt/eval-summary.ts";
import { persuasionItem } from "../../methods/pbt/persuasion-eval.ts";
import { pbtTrainDefaults, trainPbt } from "../../methods/pbt/train-pbt.ts";
import { UsageError } from "../../model/errors.ts";
import { integerArg, numberArg } from "../model-options.ts";
import { dialogueFormat, extractorFor, readPairFile } from "./pbt-inputs.ts";

interface TrainFlags {
  model: string;
  pairs: string;
  variant: string;
  out: string;
  format?: string;
  sftSteps: number;
  dpoEpochs: number;
  beta: number;
  nllWeight: number;
  lr: number;
  sftLr?: number;
  batchSize?: number;
  gradAccum?: number;
  warmup: number;
  rank: number;
  alpha: number;
  dropout: number;
  targets: string;
  reference: string;
  maxLength: number;
  seed: number;
  selectOnDev?: boolean;
  cacheDir?: string;
}

const d = pbtTrainDefaults;
const examples = `
Examples:
  # the paper's recipe (LoRA r16 on q/k/v; SFT 240 steps; DPO beta 0.1, 5 epochs, lr 5e-4)
  $ chorus pbt train --model models/atlas-1m.gguf --pairs pairs/ --variant pbt --out pbt.gguf

  # a baseline, size-matched, small and quick; keep the DPO epoch with the best dev accuracy
  $ chorus pbt train --model models/atlas-1m.gguf --pairs pairs/ --variant resist-only \\
      --sft-steps 20 --dpo-epochs 3 --batch-size 4 --grad-accum 1 --warmup 0 --select-on-dev --out resist.gguf

  # serve the adapter
  $ chorus generate --model models/atlas-1m.gguf --lora pbt.gguf --raw "Q: ... A: x . U: no , it is y . A:"`;

/** `chorus pbt train`: SFT on the chosen replies, then DPO, into a GGUF LoRA adapter. */
export function registerTrain(pbt: Command): void {
  pbt
    .command("train")
    .description("SFT then DPO (LoRA) on one variant's pairs; writes a GGUF LoRA adapter")
    .requiredOption("-m, --model <gguf>", "local GGUF model to fine-tune")
    .requiredOption("--pairs <dir>", "a folder written by chorus pbt pairs")
    .requiredOption("--out <adapter.gguf>", "where the adapter goes")
    .option("--variant <name>", "pbt | accept-only | resist-only", "pbt")
    .option(
      "--format <chat|transcript>",
      "dialogue format for --select-on-dev (default: the pairs')",
    )
    .option(
      "--sft-steps <n>",
      "SFT steps on the chosen replies (0 skips SFT)",
      integerArg(0),
      d.sftSteps,
    )
    .option("--dpo-epochs <n>", "DPO epochs", integerArg(1), d.dpoEpochs)
    .option("--beta <b>", "DPO beta", numberArg(0), d.beta)
    .option(
      "--nll-weight <w>",
      "chosen-reply NLL added to DPO (RPO; 0 = plain DPO as in the paper)",
      numberArg(0),
      d.nllWeight,
    )
    .option("--lr <lr>", "DPO learning rate", numberArg(0), d.dpo.lr)
    .option("--sft-lr <lr>", `SFT learning rate (default ${d.sft.lr})`, numberArg(0))
    .option(
      "--batch-size <n>",
      `examples per micro-batch (default SFT ${d.sft.batchSize}, DPO ${d.dpo.batchSize})`,
      integerArg(1),
    )
    .option(
      "--grad-accum <n>",
      `micro-batches per step (default SFT ${d.sft.gradientAccumulation}, DPO ${d.dpo.gradientAccumulation})`,
      integerArg(1),
    )
    .option("--warmup <n>", "DPO warmup steps (cosine schedule)", integerArg(0), d.dpo.warmupSteps)
    .option("--rank <r>", "LoRA rank", integerArg(1), d.lora.rank)
    .option("--alpha <a>", "LoRA alpha", numberArg(0), d.lora.alpha ?? 32)
    .option("--dropout <p>", "LoRA dropout", numberArg(0, 1), d.lora.dropout ?? 0.05)
    .option("--targets <list>", "LoRA targets", (d.lora.targets ?? []).join(","))
    .option(
      "--reference <sft|base>",
      "DPO reference: the SFT policy or the loaded weights",
      d.reference,
    )
    .option("--max-length <n>", "longest example in tokens", integerArg(8), d.maxLength)
    .option("--seed <n>", "LoRA init, shuffling and dropout seed", integerArg(0), d.seed)
    .option("--select-on-dev", "evaluate dev.jsonl after each DPO epoch and keep the best epoch")
    .option("--cache-dir <dir>", "reference log-prob cache")
    .addHelpText("after", examples)
    .action(async (flags: TrainFlags) => {
      await trainCommand(flags);
    });
}

async function trainCommand(flags: TrainFlags): Promise<void> {
  if (!pairVariants.includes(flags.variant as PairVariant))
    throw new UsageError(
      `--variant must be one of ${pairVariants.join(", ")}; got "${flags.variant}"`,
    );
  if (flags.reference !== "sft" && flags.reference !== "base")
    throw new UsageError(`--reference must be sft or base; got "${flags.reference}"`);
  const pairs = readPairFile(flags.pairs, `train-${flags.variant}`);
  if (pairs.length === 0)
    throw new UsageError(
      `${flags.pairs}/train-${flags.variant}.jsonl has no pairs: grow more trees or lower the pairs threshold`,
    );
  const stage = (s: typeof d.sft, lr: number) => ({
    ...s,
    lr,
    ...(flags.batchSize !== undefined ? { batchSize: flags.batchSize } : {}),
    ...(flags.gradAccum !== undefined ? { gradientAccumulation: flags.gradAccum } : {}),
  });
  const settings = {
    ...d,
    lora: {
      rank: flags.rank,
      alpha: flags.alpha,
      dropout: flags.dropout,
      targets: flags.targets.split(",").map((t) => t.trim()),
    },
    sftSteps: flags.sftSteps,
    sft: stage(d.sft, flags.sftLr ?? d.sft.lr),
    dpoEpochs: flags.dpoEpochs,
    beta: flags.beta,
    nllWeight: flags.nllWeight,
    dpo: { ...stage(d.dpo, flags.lr), warmupSteps: flags.warmup },
    reference: flags.reference as "sft" | "base",
    maxLength: flags.maxLength,
    seed: flags.seed,
  };
  const dev = flags.selectOnDev ? readPairFile(flags.pairs, "dev") : [];
  if (flags.selectOnDev && dev.length === 0)
    throw new UsageError(`--select-on-dev: ${flags.pairs}/dev.jsonl has no pairs`);
  const format = dialogueFormat(
    flags.format ?? ("messages" in pairs[0]!.prompt ? "chat" : "transcript"),
  );
  const engine = flags.selectOnDev
    ? await loadLlamaCppModel({ modelPath: flags.model })
    : undefined;
  const scratch = await mkdtemp(join(tmpdir(), "chorus-pbt-dev-"));
  try {
    const result = await trainPbt(flags.model, pairs, flags.out, settings, {
      ...(flags.cacheDir ? { cacheDir: flags.cacheDir } : {}),
      onStep: (stage, i) => {
        if (i.step % 10 === 0 || i.step === i.totalSteps)
          process.stderr.write(
            `${stage} step ${i.step}/${i.totalSteps} loss ${i.loss.toFixed(4)}${i.metrics["margin"] !== undefined ? ` margin ${i.metrics["margin"].toFixed(3)}` : ""}\n`,
          );
      },
      ...(engine
        ? {
            devScore: async (t, epoch) => {
              const path = join(scratch, `epoch-${epoch}.gguf`);
              await t.saveAdapter(path);
              await engine.setLora([{ path }]);
              const s = {
                format,
                extractor: extractorFor(format, format.name === "chat" ? engine : undefined),
                seed: flags.seed,
              };
              const outcomes = [];
              for (const p of dev) outcomes.push(await persuasionItem(engine, p, s));
              const acc = summarizePersuasion(outcomes).overall.mean;
              process.stderr.write(
                `dev balanced accuracy after DPO epoch ${epoch}: ${(100 * acc).toFixed(1)}%\n`,
              );
              return acc;
            },
          }
        : {}),
    });
    process.stdout.write(
      `${JSON.stringify({ out: flags.out, variant: flags.variant, pairs: pairs.length, sftSteps: result.sftLosses.length, dpoSteps: result.dpoLosses.length, sftFinalLoss: result.sftLosses.at(-1) ?? null, dpoFinalLoss: result.dpoLosses.at(-1) ?? null, devScores: result.devScores, keptEpoch: result.keptEpoch, seconds: Number(result.seconds.toFixed(1)) })}\n`,
    );
  } finally {
    await engine?.close();
    await rm(scratch, { recursive: true, force: true });
  }
}
