import type { Command } from "commander";
import { loadDataset, parseFieldMapping } from "../../evals/datasets/index.ts";
import { poolModelSource } from "../../evals/pool-model-source.ts";
import { saveProfileFile } from "../../methods/symbolic-moe/profile-store.ts";
import { readMoeSettings } from "../../methods/symbolic-moe/settings.ts";
import { buildMoeProfile } from "../../methods/symbolic-moe/symbolic-moe.ts";
import { UsageError } from "../../model/errors.ts";
import { addDataOptions, type DataFlags, dataLoadOptions } from "../data-options.ts";
import {
  addModelOptions,
  collect,
  integerArg,
  type ModelFlags,
  openSession,
} from "../model-options.ts";

interface ProfileFlags extends ModelFlags, DataFlags {
  dataset: string;
  split: string;
  limit?: number;
  save: string;
  set?: string[];
  role?: string[];
  field?: string;
  seed?: number;
  json?: boolean;
}

const examples = `
Examples:
  # profiles of two local experts on 100 MMLU-Pro validation questions, then evaluate with them
  $ chorus moe profile --dataset mmlu-pro --limit 100 --model a.gguf --model b.gguf --save moe.json
  $ chorus eval symbolic-moe --dataset mmlu-pro --limit 200 --model a.gguf --model b.gguf --set profiles=moe.json

The profile file holds each model's keyword profile, global competence, the keyword vocabulary,
validation accuracies and the aggregator chosen by the aggregation benchmark. The annotator is
--role annotator=<model> (default: the first --model). Settings: --set k=3, keywordSamples=5,
maxTokens=4096, temperature=0.7, tau=0.5 (see docs/symbolic-moe.md).
`;

/** `chorus moe`: Symbolic-MoE preprocessing. */
export function register(program: Command): void {
  const moe = program
    .command("moe")
    .description("Symbolic-MoE tools: build and save expert profiles");
  const profile = moe
    .command("profile")
    .description(
      "annotate validation questions, profile every model, choose the aggregator; save as JSON",
    );
  addDataOptions(addModelOptions(profile, { repeatable: true }))
    .requiredOption("--dataset <name|file>", "a named dataset or a .jsonl/.json/.csv(.gz) file")
    .option("--split <split>", "split to profile on", "validation")
    .option("--limit <n>", "use the first n items", integerArg(1))
    .requiredOption("--save <file>", "where to write the profiles (JSON)")
    .option("--set <key=value>", "setting (repeatable)", collect)
    .option("--role <role=model>", "e.g. --role annotator=<model> (repeatable)", collect)
    .option("--field <mapping>", "for files: question=<f>,answer=<f>,choices=<f>|<f>...")
    .option("--seed <n>", "seed", integerArg())
    .option("--json", "print the profile JSON instead of a summary")
    .addHelpText("after", examples)
    .action(async (flags: ProfileFlags) => {
      process.exitCode = await profileCommand(flags);
    });
}

function keyValues(values: readonly string[] | undefined, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const value of values ?? []) {
    const at = value.indexOf("=");
    if (at <= 0) throw new UsageError(`${flag} ${value}: expected key=value`);
    out[value.slice(0, at).trim()] = value.slice(at + 1).trim();
  }
  return out;
}

async function profileCommand(flags: ProfileFlags): Promise<number> {
  if ((flags.model ?? []).length === 0)
    throw new UsageError("pass the pool with --model (repeatable)");
  const settings = readMoeSettings(keyValues(flags.set, "--set"));
  const items = await loadDataset(flags.dataset, {
    ...dataLoadOptions(flags),
    split: flags.split,
    ...(flags.limit !== undefined ? { limit: flags.limit } : {}),
    ...(flags.field ? { mapping: parseFieldMapping(flags.field) } : {}),
  });
  if (items.length === 0) throw new UsageError(`dataset "${flags.dataset}" has no items`);
  const session = await openSession(flags);
  try {
    const refs = flags.model ?? [];
    const roles = Object.fromEntries(
      Object.entries(keyValues(flags.role, "--role")).map(([role, value]) => {
        const at = refs.indexOf(value);
        return [role, at >= 0 ? session.models[at]! : value];
      }),
    );
    const profile = await buildMoeProfile(
      items,
      {
        models: poolModelSource(session.pool, session.models, roles),
        seed: flags.seed ?? 0,
        log: (m) => process.stderr.write(`${m}\n`),
      },
      settings,
      { dataset: flags.dataset, split: flags.split },
    );
    saveProfileFile(flags.save, profile);
    if (flags.json) process.stdout.write(`${JSON.stringify(profile)}\n`);
    else {
      const lines = [
        `profiles of ${profile.models.length} model(s) on ${profile.items} ${flags.dataset} ${flags.split} item(s), ${profile.vocabulary.length} keyword(s)`,
        ...profile.models.map(
          (m) =>
            `  ${m}: validation accuracy ${(100 * (profile.validationAccuracy[m] ?? 0)).toFixed(1)}%, competence ${(profile.competence[m] ?? 0).toFixed(3)}, aggregation ${(100 * (profile.aggregatorAccuracy[m] ?? 0)).toFixed(1)}%`,
        ),
        `aggregator: ${profile.aggregator}`,
        `saved: ${flags.save}`,
      ];
      process.stdout.write(`${lines.join("\n")}\n`);
    }
    return 0;
  } finally {
    await session.close();
  }
}
