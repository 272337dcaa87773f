import type { Command } from "commander";
import { datasetStatus } from "../../evals/datasets/dataset-status.ts";
import {
  dataPlaces,
  datasetLoaders,
  findDatasetLoader,
  pullDataset,
} from "../../evals/datasets/index.ts";
import { UsageError } from "../../model/errors.ts";
import { collect } from "../model-options.ts";

const examples = `
Examples:
  # which named datasets this machine has, and where each comes from
  $ chorus data list

  # download GSM8K's test split from the hub into the cache (resumable, checksummed)
  $ chorus data pull gsm8k

  # several at once; a gated dataset needs its terms accepted on the hub and HF_TOKEN
  $ HF_TOKEN=hf_... chorus data pull math500 mmlu-pro gpqa

  # a local copy laid out like shared/datasets is searched first (also $CHORUS_DATA_MIRROR)
  $ chorus data list --data-mirror /data/chorus-datasets

Downloads go to <cache-dir>/datasets (default ~/.cache/chorus/datasets, or $CHORUS_CACHE_DIR).
HF_ENDPOINT (or CHORUS_HF_ENDPOINT) points at a hub mirror; HF_HUB_OFFLINE=1 forbids downloads.
\`chorus eval --dataset <name>\` pulls what it needs by itself. See docs/data.md.
`;

interface DataCommandFlags {
  dataMirror?: string[];
  cacheDir?: string;
  json?: boolean;
}

/** `chorus data pull|list`: named datasets from the hub, the cache and data mirrors. */
export function register(program: Command): void {
  const data = program
    .command("data")
    .description("download and list the named datasets (hub, cache, data mirrors)")
    .addHelpText("after", examples);

  data
    .command("pull")
    .description(
      "download named datasets from the hub into the cache (resumes interrupted downloads)",
    )
    .argument("<name...>", `named datasets: ${datasetLoaders.map((l) => l.name).join(", ")}`)
    .option("--data-mirror <dir>", "data mirror folder, searched first (repeatable)", collect)
    .option("--cache-dir <dir>", "chorus cache folder (default ~/.cache/chorus)")
    .action(async (names: string[], flags: DataCommandFlags) => {
      const loaders = names.map((name) => {
        const loader = findDatasetLoader(name);
        if (!loader)
          throw new UsageError(
            `unknown dataset "${name}"; named datasets: ${datasetLoaders.map((l) => l.name).join(", ")}`,
          );
        return loader;
      });
      const places = placesOf(flags);
      for (const loader of loaders) {
        if (!loader.hub) {
          const status = datasetStatus(loader, places);
          if (status.state === "missing" || status.state === "partial")
            throw new UsageError(
              `dataset "${loader.name}" has no source on the hub; put a folder holding ${status.missing.join(", ")} in --data-mirror or CHORUS_DATA_MIRROR`,
            );
          process.stdout.write(`${loader.name}: in a mirror (no hub source)\n`);
          continue;
        }
        const pulled = await pullDataset(loader, places, {
          log: (line) => process.stderr.write(`${line}\n`),
        });
        for (const p of pulled) process.stdout.write(`${loader.name}: ${p.path} (${p.from})\n`);
      }
    });

  data
    .command("list")
    .description("one line per named dataset: name, hub source, whether this machine has it")
    .option("--data-mirror <dir>", "data mirror folder, searched first (repeatable)", collect)
    .option("--cache-dir <dir>", "chorus cache folder (default ~/.cache/chorus)")
    .option("--json", "one JSON object per dataset")
    .action((flags: DataCommandFlags) => {
      const places = placesOf(flags);
      const statuses = datasetLoaders.map((loader) => datasetStatus(loader, places));
      if (flags.json) {
        for (const s of statuses) process.stdout.write(`${JSON.stringify(s)}\n`);
        return;
      }
      const nameWidth = Math.max(...statuses.map((s) => s.name.length));
      const sourceWidth = Math.max(...statuses.map((s) => (s.source ?? "mirror only").length));
      for (const s of statuses) {
        const state = {
          mirror: "in a mirror",
          cached: "cached",
          partial: `partly here (missing ${s.missing.join(", ")})`,
          missing: s.source ? `not cached (chorus data pull ${s.name})` : "not here",
        }[s.state];
        const gated = s.gated ? "  gated: needs HF_TOKEN" : "";
        process.stdout.write(
          `${s.name.padEnd(nameWidth)}  ${(s.source ?? "mirror only").padEnd(sourceWidth)}  ${state}${gated}\n`,
        );
      }
    });
}

function placesOf(flags: DataCommandFlags) {
  return dataPlaces({
    ...(flags.dataMirror ? { mirrors: flags.dataMirror } : {}),
    ...(flags.cacheDir !== undefined ? { cacheDir: flags.cacheDir } : {}),
  });
}
