import { choiceLetters, letterOf } from "../answers/choice.ts";
import { type DatasetLoader, holdoutSplit } from "./dataset-loader.ts";
import { formatMultipleChoice } from "./multiple-choice.ts";
import { readDatasetRecords, recordError, stringField } from "./read-records.ts";

/**
 * MMLU-Pro (12,032 questions, up to 10 options). The official 70-question validation split was
 * not obtained, so "validation" is every 10th question (by question_id order) and "test" the rest.
 */
export const mmluPro: DatasetLoader = {
  name: "mmlu-pro",
  description: "MMLU-Pro: 14-category multiple choice (up to A-J); validation = every 10th item",
  splits: ["test", "validation", "all"],
  answerType: "choice",
  files: ["mmlu_pro/test.jsonl.gz"],
  hub: {
    repo: "TIGER-Lab/MMLU-Pro",
    revision: "main",
    files: { "mmlu_pro/test.jsonl.gz": "data/test-00000-of-00001.parquet" },
    note: "the mirror's copy is sorted by question_id; items are named by question_id either way",
  },
  async load({ split, file }) {
    const items = (await readDatasetRecords(file("mmlu_pro/test.jsonl.gz"))).map((record) => {
      const options = record.value["options"];
      if (
        !Array.isArray(options) ||
        options.length < 1 ||
        !options.every((o) => typeof o === "string")
      )
        throw recordError(record, 'field "options" must be a non-empty list of strings');
      const answer = letterOf(stringField(record, "answer"));
      if (!answer || !choiceLetters(options.length).includes(answer))
        throw recordError(
          record,
          `field "answer" must be one of the ${options.length} option letters`,
        );
      return {
        id: `mmlu-pro-${stringField(record, "question_id")}`,
        question: formatMultipleChoice(stringField(record, "question"), options as string[]),
        answer,
        answerType: "choice" as const,
        choices: options as string[],
        meta: { category: record.value["category"], src: record.value["src"] },
      };
    });
    return holdoutSplit(items, split);
  },
};
