import type { AnswerType } from "../answers/extract-answer.ts";
import type { EvalItem } from "../eval-item.ts";

/**
 * A named dataset. Built-in loaders read `../shared/datasets/` in place; add one by writing a
 * file in this folder and adding it to the list in `index.ts` (see docs/evals.md).
 */
export interface DatasetLoader {
  /** CLI name, e.g. "gsm8k". */
  readonly name: string;
  readonly description: string;
  /** Available splits; the first is the default. */
  readonly splits: readonly string[];
  readonly answerType: AnswerType;
  /** @throws DataError (file and line) on a malformed record, or when the file is missing. */
  load(options: { split: string }): EvalItem[];
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
