import type { AnswerType } from "../answers/extract-answer.ts";
import type { EvalItem } from "../eval-item.ts";
import type { HubSource } from "./hub-source.ts";

/** What a loader is given: the split, and the local path of each of its files. */
export interface LoadContext {
  split: string;
  /**
   * Local path of one of `files` (a mirror's copy, else the hub's copy in the cache).
   * @throws DataError naming `chorus data pull <name>` (or a mirror) when it is in neither.
   */
  file(relative: string): string;
}

/**
 * A named dataset. Built-in loaders read their files from a mirror folder (the layout of
 * `shared/datasets`) or from the cache, where `chorus data pull` puts the hub's copies; add one
 * by writing a file in this folder and adding it to the list in `index.ts` (see docs/data.md).
 */
export interface DatasetLoader {
  /** CLI name, e.g. "gsm8k". */
  readonly name: string;
  readonly description: string;
  /** Available splits; the first is the default. */
  readonly splits: readonly string[];
  readonly answerType: AnswerType;
  /** Every file the loader may read (all splits), as paths in a mirror. */
  readonly files: readonly string[];
  /** Where those files (or some of them) come from on the Hugging Face hub. */
  readonly hub?: HubSource;
  /** @throws DataError (file and line) on a malformed record, or when a file is missing. */
  load(context: LoadContext): Promise<EvalItem[]>;
}

/**
 * Splits one official file into a held-out "validation" part (every `every`-th record) and the
 * "test" rest, for datasets whose validation split was not obtained; "all" keeps everything.
 */
export function holdoutSplit(items: EvalItem[], split: string, every = 10): EvalItem[] {
  if (split === "all") return items;
  const validation = split === "validation";
  return items.filter((_, i) => (i % every === 0) === validation);
}
