import { SeededRandom } from "../../math/seeded-random.ts";
import { choiceLetters } from "../answers/choice.ts";
import { type DatasetLoader, holdoutSplit } from "./dataset-loader.ts";
import { formatMultipleChoice } from "./multiple-choice.ts";
import { readDatasetRecords, stringField } from "./read-records.ts";

/**
 * GPQA Diamond (198). The file stores the correct answer apart from three wrong ones, so options
 * are shuffled here with a seed derived from the item index (stable across runs). The file must
 * stay gzipped and its items out of public logs (the authors' request). "validation" = every
 * 10th item, "test" the rest.
 */
export const gpqa: DatasetLoader = {
  name: "gpqa",
  description: "GPQA Diamond: graduate-level science multiple choice (A-D), seeded option order",
  splits: ["test", "validation", "all"],
  answerType: "choice",
  files: ["gpqa_diamond/test.jsonl.gz"],
  hub: {
    repo: "Idavidrein/gpqa",
    revision: "main",
    gated: true,
    files: { "gpqa_diamond/test.jsonl.gz": "gpqa_diamond.csv" },
    note: "item ids follow file order, which may differ between the hub's CSV and the mirror's copy",
  },
  async load({ split, file }) {
    const items = (await readDatasetRecords(file("gpqa_diamond/test.jsonl.gz"))).map(
      (record, index) => {
        const correct = stringField(record, "Correct Answer").trim();
        const wrong = [1, 2, 3].map((i) => stringField(record, `Incorrect Answer ${i}`).trim());
        const order = new SeededRandom(`gpqa-${index}`).shuffle([0, 1, 2, 3]);
        const all = [correct, ...wrong];
        const choices = order.map((i) => all[i]!);
        return {
          id: `gpqa-${index}`,
          question: formatMultipleChoice(stringField(record, "Question"), choices),
          answer: choiceLetters(4)[order.indexOf(0)]!,
          answerType: "choice" as const,
          choices,
          meta: {},
        };
      },
    );
    return holdoutSplit(items, split);
  },
};
