import type { Command } from "commander";
import type { LoadDatasetOptions } from "../evals/datasets/index.ts";
import { collect } from "./model-options.ts";

/** Flags that say where named datasets' files come from. */
export interface DataFlags {
  dataMirror?: string[];
  offline?: boolean;
  cacheDir?: string;
}

/** Adds `--data-mirror <dir>` (repeatable) and `--offline`. */
export function addDataOptions(command: Command): Command {
  return command
    .option(
      "--data-mirror <dir>",
      "folder laid out like shared/datasets, searched before the cache and the hub (repeatable; default $CHORUS_DATA_MIRROR)",
      collect,
    )
    .option("--offline", "never download a dataset; fail naming `chorus data pull <name>` instead");
}

/** `loadDataset` options from the data flags: downloads report one line each on stderr. */
export function dataLoadOptions(flags: DataFlags): LoadDatasetOptions {
  return {
    ...(flags.dataMirror ? { mirrors: flags.dataMirror } : {}),
    ...(flags.cacheDir !== undefined ? { cacheDir: flags.cacheDir } : {}),
    ...(flags.offline ? { download: false } : {}),
    log: (line) => process.stderr.write(`${line}\n`),
  };
}
