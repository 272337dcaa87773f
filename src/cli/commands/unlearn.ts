import { writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { loadLlamaCppModel } from "../../engines/llamacpp/index.ts";
import { SeededRandom } from "../../math/seeded-random.ts";
import {
  type ForgetItem,
  loadSelection,
  readForgetItems,
  selectCoreset,
} from "../../methods/upcore/select-coreset.ts";
import { type UnlearnMethod, unlearn } from "../../methods/upcore/unlearn.ts";
import { UsageError } from "../../model/index.ts";
import { exportLoraAdapter, loadTokenizer, loadTransformer } from "../../train/index.ts";
import { integerArg, numberArg } from "../model-options.ts";

interface UnlearnFlags {
  model: string;
  method: string;
  forget: string;
  retain: string;
  neighbours?: string;
  selection: string;
  selectionFile?: string;
  epochs?: number;
  lr?: number;
  seed: number;
  maxNewTokens?: number;
  out: string;
  adapter?: string;
}

const methods: UnlearnMethod[] = ["ga", "gd", "refusal", "npo"];

/** `chorus unlearn`: UPCORE-style unlearning with per-epoch evaluation and the AUC report. */
export function register(program: Command): void {
  program
    .command("unlearn")
    .description(
      "unlearn a forget set (coreset, full or random subset) with LoRA; writes the AUC report",
    )
    .requiredOption("-m, --model <gguf>", "local GGUF model")
    .requiredOption("--method <ga|gd|refusal|npo>", "unlearning loss")
    .requiredOption("--forget <jsonl>", "complete forget set ({question, answer} lines)")
    .requiredOption("--retain <jsonl>", "retain set (training partner and a utility set)")
    .option("--neighbours <jsonl>", "neighbour set (another utility set)")
    .option(
      "--selection <upcore|full|random>",
      "what is trained on: upcore, full, random, or a comma list (one run each, one report)",
      "upcore",
    )
    .option(
      "--selection-file <selection.json>",
      "a selection from `chorus upcore select` (else computed)",
    )
    .option("--epochs <n>", "epochs (default 10)", integerArg(1))
    .option("--lr <x>", "learning rate (default 2e-3)", numberArg(0))
    .option("--seed <n>", "seed", integerArg(), 42)
    .option(
      "--max-new-tokens <n>",
      "greedy tokens per evaluation prompt (default 16)",
      integerArg(1),
    )
    .requiredOption("--out <report.json>", "where to write the curve and the AUCs")
    .option("--adapter <out.gguf>", "also write the final LoRA adapter (one selection only)")
    .addHelpText(
      "after",
      `
Example:
  $ chorus unlearn --model model.gguf --method npo --forget forget.jsonl --retain retain.jsonl \\
      --selection upcore --out report.json`,
    )
    .action(async (flags: UnlearnFlags) => {
      if (!methods.includes(flags.method as UnlearnMethod))
        throw new UsageError(
          `--method must be one of ${methods.join(", ")}; got "${flags.method}"`,
        );
      const selections = flags.selection.split(",");
      if (!selections.every((x) => ["upcore", "full", "random"].includes(x)))
        throw new UsageError(
          `--selection must be upcore, full, random or a comma list of them; got "${flags.selection}"`,
        );
      const forget = await readForgetItems(flags.forget);
      const retain = await readForgetItems(flags.retain);
      const neighbours = flags.neighbours ? await readForgetItems(flags.neighbours) : undefined;
      const coreIds = await coresetIds(selections, flags, forget);
      const runs: Record<string, unknown> = {};
      for (const selection of selections) {
        let train: ForgetItem[] = forget;
        if (selection === "upcore") train = forget.filter((i) => coreIds.has(i.id));
        if (selection === "random") {
          // Same size as the coreset (pitfall 10).
          const rng = new SeededRandom(flags.seed);
          train = rng
            .sampleIndices(forget.length, coreIds.size)
            .sort((a, b) => a - b)
            .map((i) => forget[i]!);
        }
        // A fresh model per selection: each run starts from the same weights.
        const { model } = await loadTransformer(flags.model);
        const tok = await loadTokenizer(flags.model);
        try {
          const report = await unlearn(
            model,
            tok,
            train,
            retain,
            { forget, utility: { retain, ...(neighbours ? { neighbours } : {}) } },
            {
              method: flags.method as UnlearnMethod,
              seed: flags.seed,
              ...(flags.epochs !== undefined ? { epochs: flags.epochs } : {}),
              ...(flags.lr !== undefined ? { lr: flags.lr } : {}),
              ...(flags.maxNewTokens !== undefined ? { maxNewTokens: flags.maxNewTokens } : {}),
              onEpoch: (p) => process.stderr.write(`${selection} ${JSON.stringify(p)}\n`),
            },
          );
          runs[selection] = report;
          if (flags.adapter && selections.length === 1)
            await exportLoraAdapter(model, flags.adapter);
          process.stderr.write(
            `${selection}: ${train.length} items, AUC ${JSON.stringify(report.auc)}\n`,
          );
        } finally {
          await tok.close();
        }
      }
      const body =
        selections.length === 1
          ? {
              selection: selections[0],
              forgetItems: forget.length,
              ...(runs[selections[0]!] as object),
            }
          : { forgetItems: forget.length, runs };
      await writeFile(flags.out, `${JSON.stringify(body, null, 1)}\n`);
      process.stdout.write(`${JSON.stringify({ out: flags.out, selections })}\n`);
    });
}

async function coresetIds(
  selections: string[],
  flags: UnlearnFlags,
  forget: ForgetItem[],
): Promise<Set<string>> {
  if (selections.every((s) => s === "full")) return new Set(forget.map((i) => i.id));
  const selection = flags.selectionFile
    ? await loadSelection(flags.selectionFile)
    : await (async () => {
        const engine = await loadLlamaCppModel({ modelPath: flags.model, gpu: false });
        try {
          return await selectCoreset(engine, forget);
        } finally {
          await engine.close?.();
        }
      })();
  return new Set(selection.items.filter((i) => !i.pruned).map((i) => i.id));
}
