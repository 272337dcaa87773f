import { writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { loadLlamaCppModel } from "../../engines/llamacpp/index.ts";
import { SeededRandom } from "../../math/seeded-random.ts";
import type { EvalRole } from "../../methods/upcore/evaluate.ts";
import {
  type ForgetItem,
  loadSelection,
  selectCoreset,
} from "../../methods/upcore/select-coreset.ts";
import { type UnlearnMethod, unlearn } from "../../methods/upcore/unlearn.ts";
import {
  evalSetSpec,
  loadRefusals,
  loadUnlearningSet,
  sharedRefusals,
} from "../../methods/upcore/unlearning-data.ts";
import { UsageError } from "../../model/index.ts";
import { exportLoraAdapter, loadTokenizer, loadTransformer } from "../../train/index.ts";
import { integerArg, numberArg } from "../model-options.ts";

interface UnlearnFlags {
  model: string;
  method: string;
  forget: string;
  retain: string;
  neighbours?: string;
  eval?: string;
  limit?: number;
  refusals?: string;
  likelihood: boolean;
  selection: string;
  selectionFile?: string;
  epochs?: number;
  lr?: number;
  rank?: number;
  alpha?: number;
  layers?: string;
  targets?: string;
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
    .requiredOption(
      "--forget <jsonl|name>",
      "complete forget set: a {question, answer} JSONL file, or counterfact:<k> / triviaqa:<k> (from a data mirror, docs/data.md)",
    )
    .requiredOption(
      "--retain <jsonl|name>",
      'retain set (training partner; utility set "retain", part of Model Utility): a file or e.g. counterfact:0:neigh',
    )
    .option("--neighbours <jsonl>", 'a neighbour set file (utility set "neighbours")')
    .option(
      "--eval <sets>",
      "more evaluation sets, comma list: parap, jailbreak, outliers (the pruned points; forget-side), neigh, nneigh, real-authors, world-facts (utility), counterfact:<k>:<variant>, name=path or a path",
    )
    .option("--limit <n>", "use only the first n items of every set (quick runs)", integerArg(1))
    .option(
      "--refusals <file|tofu:idontknow>",
      "refusal pool of --method refusal, one per line (default: tofu:idontknow when present)",
    )
    .option("--no-likelihood", "skip Prob., Truth Ratio and Model Utility (ROUGE and gen_acc only)")
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
    .option("--rank <r>", "LoRA rank (default 1 for ga, 4 for refusal and npo)", integerArg(1))
    .option("--alpha <a>", "LoRA alpha (default 2 × rank)", numberArg(0))
    .option(
      "--layers <i,j>",
      "blocks carrying LoRA, 0-based (default: round(7/32 · blocks), the spec's layer 7 of 32)",
    )
    .option("--targets <names>", "GGUF modules carrying LoRA (default ffn_down = mlp.down_proj)")
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
Examples:
  $ chorus unlearn --model model.gguf --method npo --forget forget.jsonl --retain retain.jsonl \\
      --selection upcore --out report.json
  $ chorus unlearn --model model.gguf --method ga \\
      --forget counterfact:0 --retain counterfact:0:neigh \\
      --eval parap,jailbreak,nneigh,real-authors,world-facts --limit 20 \\
      --selection upcore,random --epochs 2 --max-new-tokens 4 --out report.json
  $ chorus unlearn --model model.gguf --method refusal --forget triviaqa:0 --limit 300 \\
      --retain counterfact:0:nneigh --eval real-authors,world-facts --out report.json

Each point of the report holds, per set, ROUGE-L recall, gen_acc (first-token accuracy) and,
with perturbed answers, TOFU's Prob. and Truth Ratio; Model Utility is their harmonic mean over
retain, real-authors and world-facts. AUCs: each utility set's ROUGE and modelUtility.`,
    )
    .action(async (flags: UnlearnFlags) => {
      if (!methods.includes(flags.method as UnlearnMethod))
        throw new UsageError(
          `--method must be one of ${methods.join(", ")}; got "${flags.method}"`,
        );
      const layers = flags.layers
        ? commaList(flags.layers).map((x) => {
            if (!/^\d+$/.test(x))
              throw new UsageError(
                `--layers takes block numbers like 1,2,3; got "${flags.layers}"`,
              );
            return Number(x);
          })
        : undefined;
      const selections = flags.selection.split(",");
      if (!selections.every((x) => ["upcore", "full", "random"].includes(x)))
        throw new UsageError(
          `--selection must be upcore, full, random or a comma list of them; got "${flags.selection}"`,
        );
      const evalEntries = (flags.eval ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "");
      // "outliers": the pruned points of the forget set (positive transfer, spec §3.4).
      const wantOutliers = evalEntries.includes("outliers");
      const evalSpecs = evalEntries
        .filter((s) => s !== "outliers")
        .map((s) => evalSetSpec(s, flags.forget));
      const limit = (items: ForgetItem[]) =>
        flags.limit !== undefined ? items.slice(0, flags.limit) : items;
      const forget = limit(loadUnlearningSet(flags.forget));
      const retain = limit(loadUnlearningSet(flags.retain));
      const utility: Record<string, ForgetItem[]> = { retain };
      const forgetVariants: Record<string, ForgetItem[]> = {};
      const roles: Record<string, EvalRole> = { retain: "retain" };
      if (flags.neighbours) utility.neighbours = limit(loadUnlearningSet(flags.neighbours));
      for (const spec of evalSpecs) {
        if (
          spec.name === "forget" ||
          spec.name in utility ||
          spec.name in forgetVariants ||
          (wantOutliers && spec.name === "outliers")
        )
          throw new UsageError(`--eval names a set "${spec.name}" twice (or "forget"/"retain")`);
        const items = limit(loadUnlearningSet(spec.spec));
        if (spec.role === "forget") forgetVariants[spec.name] = items;
        else {
          utility[spec.name] = items;
          roles[spec.name] = spec.role;
        }
      }
      const refusals =
        flags.method !== "refusal"
          ? undefined
          : flags.refusals
            ? loadRefusals(flags.refusals)
            : sharedRefusals();
      const coreIds = await coresetIds(selections, flags, forget, wantOutliers);
      if (wantOutliers) forgetVariants.outliers = forget.filter((i) => !coreIds.has(i.id));
      const runs: Record<string, unknown> = {};
      for (const selection of selections) {
        let train: ForgetItem[] = forget;
        if (selection === "upcore") train = forget.filter((i) => coreIds.has(i.id));
        if (selection === "random") {
          // Same size as the coreset (pitfall 10).
          const rng = new SeededRandom(flags.seed);
          const size = forget.filter((i) => coreIds.has(i.id)).length;
          train = rng
            .sampleIndices(forget.length, size)
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
            { forget, utility, forgetVariants, roles },
            {
              method: flags.method as UnlearnMethod,
              seed: flags.seed,
              likelihood: flags.likelihood,
              ...(refusals ? { refusals } : {}),
              ...(flags.epochs !== undefined ? { epochs: flags.epochs } : {}),
              ...(flags.lr !== undefined ? { lr: flags.lr } : {}),
              ...(flags.rank !== undefined ? { rank: flags.rank } : {}),
              ...(flags.alpha !== undefined ? { alpha: flags.alpha } : {}),
              ...(layers ? { layers } : {}),
              ...(flags.targets ? { targets: commaList(flags.targets) } : {}),
              ...(flags.maxNewTokens !== undefined ? { maxNewTokens: flags.maxNewTokens } : {}),
              onEpoch: (p) =>
                process.stderr.write(
                  `${selection} epoch ${p.epoch}: forget ROUGE ${p.forgetRouge.toFixed(3)}, gen_acc ${p.metrics.forget!.genAcc.toFixed(3)}${p.modelUtility !== undefined ? `, model utility ${p.modelUtility.toFixed(3)}` : ""}, utility ROUGE ${JSON.stringify(p.utility)}\n`,
                ),
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
      const data = {
        forget: flags.forget,
        retain: flags.retain,
        ...(flags.neighbours ? { neighbours: flags.neighbours } : {}),
        ...Object.fromEntries(evalSpecs.map((s) => [s.name, s.spec])),
        ...(flags.limit !== undefined ? { limit: flags.limit } : {}),
        ...(refusals
          ? { refusals: flags.refusals ?? "tofu:idontknow", refusalCount: refusals.length }
          : {}),
      };
      const body =
        selections.length === 1
          ? {
              selection: selections[0],
              forgetItems: forget.length,
              data,
              ...(runs[selections[0]!] as object),
            }
          : { forgetItems: forget.length, data, runs };
      await writeFile(flags.out, `${JSON.stringify(body, null, 1)}\n`);
      process.stdout.write(`${JSON.stringify({ out: flags.out, selections })}\n`);
    });
}

async function coresetIds(
  selections: string[],
  flags: UnlearnFlags,
  forget: ForgetItem[],
  needSelection: boolean,
): Promise<Set<string>> {
  if (!needSelection && selections.every((s) => s === "full"))
    return new Set(forget.map((i) => i.id));
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

function commaList(value: string): string[] {
  return value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}
