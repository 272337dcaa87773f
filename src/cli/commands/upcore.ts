import type { Command } from "commander";
import { loadLlamaCppModel } from "../../engines/llamacpp/index.ts";
import {
  type OutlierDetector,
  saveSelection,
  selectCoreset,
} from "../../methods/upcore/select-coreset.ts";
import { loadUnlearningSet } from "../../methods/upcore/unlearning-data.ts";
import { UsageError } from "../../model/index.ts";
import { integerArg, numberArg } from "../model-options.ts";

interface SelectFlags {
  model: string;
  forget: string;
  out: string;
  saveFeatures?: boolean;
  contamination: number;
  seed: number;
  detector: string;
}

const detectors: OutlierDetector[] = ["iforest", "lof", "pca-mahalanobis"];

/** `chorus upcore select`: Isolation-Forest (or LOF, PCA+Mahalanobis) coreset of a forget set. */
export function register(program: Command): void {
  const upcore = program
    .command("upcore")
    .description("UPCORE: utility-preserving coreset selection");
  upcore
    .command("select")
    .description("score every forget-set item and prune the outliers (selection.json)")
    .requiredOption("-m, --model <gguf>", "local GGUF model")
    .requiredOption(
      "--forget <jsonl|name>",
      'forget set: a file of {"question", "answer"[, "id"]} lines, or counterfact:<k> / triviaqa:<k> from a data mirror (docs/data.md)',
    )
    .requiredOption("--out <selection.json>", "where to write the selection")
    .option("--save-features", "also write each item's feature vector")
    .option(
      "--detector <iforest|lof|pca-mahalanobis>",
      "outlier detector: Isolation Forest (UPCORE), Local Outlier Factor (n_neighbors 20) or PCA(2) + Mahalanobis distance",
      "iforest",
    )
    .option("--contamination <x>", "fraction pruned", numberArg(0, 0.5), 0.1)
    .option("--seed <n>", "Isolation Forest seed", integerArg(), 42)
    .addHelpText(
      "after",
      `
Examples:
  $ chorus upcore select --model model.gguf --forget counterfact:0 \\
      --out selection.json
  $ chorus upcore select --model model.gguf --forget counterfact:0 \\
      --detector lof --out selection-lof.json
  $ chorus upcore select --model model.gguf --forget forget.jsonl --save-features --out selection.json`,
    )
    .action(async (flags: SelectFlags) => {
      if (!detectors.includes(flags.detector as OutlierDetector))
        throw new UsageError(
          `--detector must be one of ${detectors.join(", ")}; got "${flags.detector}"`,
        );
      const items = loadUnlearningSet(flags.forget);
      const model = await loadLlamaCppModel({ modelPath: flags.model, gpu: false });
      try {
        const selection = await selectCoreset(model, items, {
          contamination: flags.contamination,
          seed: flags.seed,
          saveFeatures: flags.saveFeatures === true,
          modelName: flags.model,
          detector: flags.detector as OutlierDetector,
        });
        await saveSelection(flags.out, selection);
        const pruned = selection.items.filter((i) => i.pruned).length;
        process.stdout.write(
          `${JSON.stringify({ out: flags.out, detector: flags.detector, items: items.length, pruned, coreset: items.length - pruned, varBefore: selection.varBefore, varAfter: selection.varAfter })}\n`,
        );
      } finally {
        await model.close?.();
      }
    });
}
