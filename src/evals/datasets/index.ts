import { existsSync } from "node:fs";
import { UsageError } from "../../model/errors.ts";
import type { DownloadProgress } from "../../model-files/download-file.ts";
import type { EvalItem } from "../eval-item.ts";
import { bbq } from "./bbq.ts";
import { aime24, amc23 } from "./competition-math.ts";
import { type FieldMapping, loadCustomFile } from "./custom-file.ts";
import { dataPlaces, requireDatasetFile } from "./dataset-files.ts";
import type { DatasetLoader } from "./dataset-loader.ts";
import { gpqa } from "./gpqa.ts";
import { gsm8k } from "./gsm8k.ts";
import { humanEvalFixJs, humanEvalFixPython } from "./humanevalfix.ts";
import { math500 } from "./math500.ts";
import { mbppPlusFixHard } from "./mbpp-plus-fix.ts";
import { medmcqa } from "./medmcqa.ts";
import { mmlu } from "./mmlu.ts";
import { mmluPro } from "./mmlu-pro.ts";
import { nqOpen } from "./nq-open.ts";
import { nqSwap } from "./nq-swap.ts";
import { nqSynth } from "./nq-synth.ts";
import { pullDataset } from "./pull-dataset.ts";
import { svamp } from "./svamp.ts";
import { tofuEval } from "./tofueval.ts";
import { truthfulQaMc1 } from "./truthfulqa-mc.ts";
import { xsum } from "./xsum.ts";

export { type FieldMapping, loadCustomFile, parseFieldMapping } from "./custom-file.ts";
export {
  type DataPlaces,
  dataPlaces,
  type FoundFile,
  findDatasetFile,
  hubCacheFile,
} from "./dataset-files.ts";
export type { DatasetLoader, LoadContext } from "./dataset-loader.ts";
export { holdoutSplit } from "./dataset-loader.ts";
export { type DatasetStatus, datasetStatus } from "./dataset-status.ts";
export { type HubSource, hubSourceLabel } from "./hub-source.ts";
export { formatMultipleChoice } from "./multiple-choice.ts";
export { type PullDatasetOptions, type PulledFile, pullDataset } from "./pull-dataset.ts";
export {
  readDatasetRecords,
  readRecords,
  recordError,
  type SourceRecord,
  stringField,
} from "./read-records.ts";

/**
 * Every named dataset. Add yours with one import above and one line here (keep one per line so
 * concurrent additions do not collide).
 */
export const datasetLoaders: readonly DatasetLoader[] = [
  gsm8k,
  math500,
  svamp,
  aime24,
  amc23,
  mmlu,
  mmluPro,
  gpqa,
  medmcqa,
  nqSwap,
  nqSynth,
  nqOpen,
  xsum,
  tofuEval,
  humanEvalFixPython,
  humanEvalFixJs,
  mbppPlusFixHard,
  truthfulQaMc1,
  bbq,
];

/** The loader named `name`, or undefined. */
export function findDatasetLoader(name: string): DatasetLoader | undefined {
  return datasetLoaders.find((l) => l.name === name);
}

/** Options for `loadDataset`. */
export interface LoadDatasetOptions {
  split?: string;
  /** Keep the first N items. */
  limit?: number;
  /** For files: which fields hold what. */
  mapping?: FieldMapping;
  /** Data mirror folders, searched first (default: `$CHORUS_DATA_MIRROR`, see `dataPlaces`). */
  mirrors?: readonly string[];
  /** The chorus cache folder (hub downloads go to `<cacheDir>/datasets`). */
  cacheDir?: string;
  /** Set false to fail (naming `chorus data pull`) instead of downloading missing files. */
  download?: boolean;
  /** One line per file downloaded (e.g. to stderr). */
  log?: (line: string) => void;
  onProgress?: (file: string, progress: DownloadProgress) => void;
}

/**
 * Items of a named dataset or of a file path (JSONL/JSON/CSV optionally .gz, or parquet). A
 * named dataset's files come from a data mirror, else the cache, else the hub (downloaded into
 * the cache once).
 * @throws UsageError for an unknown name or split; DataError for a malformed record.
 */
export async function loadDataset(
  nameOrFile: string,
  options: LoadDatasetOptions = {},
): Promise<EvalItem[]> {
  const loader = findDatasetLoader(nameOrFile);
  let items: EvalItem[];
  if (loader) {
    const split = options.split ?? loader.splits[0]!;
    if (!loader.splits.includes(split))
      throw new UsageError(
        `dataset "${loader.name}" has no split "${split}"; splits: ${loader.splits.join(", ")}`,
      );
    const places = dataPlaces({
      ...(options.mirrors ? { mirrors: options.mirrors } : {}),
      ...(options.cacheDir !== undefined ? { cacheDir: options.cacheDir } : {}),
    });
    await pullDataset(loader, places, {
      offline: options.download === false,
      ...(options.log ? { log: options.log } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    items = await loader.load({
      split,
      file: (relative) => requireDatasetFile(places, loader.name, relative, loader.hub),
    });
  } else if (existsSync(nameOrFile)) {
    items = await loadCustomFile(nameOrFile, options.mapping);
  } else {
    throw new UsageError(
      `unknown dataset "${nameOrFile}": not a file; named datasets: ${datasetLoaders.map((l) => l.name).join(", ")}`,
    );
  }
  return options.limit === undefined ? items : items.slice(0, options.limit);
}
