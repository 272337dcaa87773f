import { SeededRandom } from "../../math/seeded-random.ts";
import { choiceLetters } from "../answers/choice.ts";
import { type DatasetLoader, holdoutSplit } from "./dataset-loader.ts";
import { formatMultipleChoice } from "./multiple-choice.ts";
import { readRecords, stringField } from "./read-records.ts";
import { requireSharedDataset } from "./shared-file.ts";

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
  load({ split }) {
    const items = readRecords(requireSharedDataset("gpqa_diamond/test.jsonl.gz")).map(
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
