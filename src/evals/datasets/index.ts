import { existsSync } from "node:fs";
import { UsageError } from "../../model/errors.ts";
import type { EvalItem } from "../eval-item.ts";
import { bbq } from "./bbq.ts";
import { aime24, amc23 } from "./competition-math.ts";
import { type FieldMapping, loadCustomFile } from "./custom-file.ts";
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
import { svamp } from "./svamp.ts";
import { tofuEval } from "./tofueval.ts";
import { truthfulQaMc1 } from "./truthfulqa-mc.ts";
import { xsum } from "./xsum.ts";

export { type FieldMapping, loadCustomFile, parseFieldMapping } from "./custom-file.ts";
export type { DatasetLoader } from "./dataset-loader.ts";
export { holdoutSplit } from "./dataset-loader.ts";
export { formatMultipleChoice } from "./multiple-choice.ts";
export { readRecords, recordError, type SourceRecord, stringField } from "./read-records.ts";

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
}

/**
 * Items of a named dataset or of a file path (JSONL/JSON/CSV, optionally .gz).
 * @throws UsageError for an unknown name or split; DataError for a malformed record.
 */
export function loadDataset(nameOrFile: string, options: LoadDatasetOptions = {}): EvalItem[] {
  const loader = findDatasetLoader(nameOrFile);
  let items: EvalItem[];
  if (loader) {
    const split = options.split ?? loader.splits[0]!;
    if (!loader.splits.includes(split))
      throw new UsageError(
        `dataset "${loader.name}" has no split "${split}"; splits: ${loader.splits.join(", ")}`,
      );
    items = loader.load({ split });
  } else if (existsSync(nameOrFile)) {
    items = loadCustomFile(nameOrFile, options.mapping);
  } else {
    throw new UsageError(
      `unknown dataset "${nameOrFile}": not a file; named datasets: ${datasetLoaders.map((l) => l.name).join(", ")}`,
    );
  }
  return options.limit === undefined ? items : items.slice(0, options.limit);
}
