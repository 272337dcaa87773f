import type { Command } from "commander";
import { loadLlamaCppModel } from "../../engines/llamacpp/index.ts";
import {
  readForgetItems,
  saveSelection,
  selectCoreset,
} from "../../methods/upcore/select-coreset.ts";
import { integerArg, numberArg } from "../model-options.ts";

interface SelectFlags {
  model: string;
  forget: string;
  out: string;
  saveFeatures?: boolean;
  contamination: number;
  seed: number;
}

/** `chorus upcore select`: Isolation-Forest coreset of a forget set. */
export function register(program: Command): void {
  const upcore = program
    .command("upcore")
    .description("UPCORE: utility-preserving coreset selection");
  upcore
    .command("select")
    .description("score every forget-set item and prune the outliers (selection.json)")
    .requiredOption("-m, --model <gguf>", "local GGUF model")
    .requiredOption("--forget <jsonl>", 'forget set, one {"question", "answer"[, "id"]} per line')
    .requiredOption("--out <selection.json>", "where to write the selection")
    .option("--save-features", "also write each item's feature vector")
    .option("--contamination <x>", "fraction pruned", numberArg(0, 0.5), 0.1)
    .option("--seed <n>", "Isolation Forest seed", integerArg(), 42)
    .addHelpText(
      "after",
      `
Example:
  $ chorus upcore select --model ../shared/models/stories260K.gguf \\
      --forget ../shared/datasets/counterfact_upcore/cf_cluster_5.jsonl --out selection.json`,
    )
    .action(async (flags: SelectFlags) => {
      const items = await readForgetItems(flags.forget);
      const model = await loadLlamaCppModel({ modelPath: flags.model, gpu: false });
      try {
        const selection = await selectCoreset(model, items, {
          contamination: flags.contamination,
          seed: flags.seed,
          saveFeatures: flags.saveFeatures === true,
          modelName: flags.model,
        });
        await saveSelection(flags.out, selection);
        const pruned = selection.items.filter((i) => i.pruned).length;
        process.stdout.write(
          `${JSON.stringify({ out: flags.out, items: items.length, pruned, coreset: items.length - pruned, varBefore: selection.varBefore, varAfter: selection.varAfter })}\n`,
        );
      } finally {
        await model.close?.();
      }
    });
}
