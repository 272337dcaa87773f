import { letterOf } from "../answers/choice.ts";
import type { DatasetLoader } from "./dataset-loader.ts";
import { formatMultipleChoice } from "./multiple-choice.ts";
import { readDatasetRecords, recordError, stringField } from "./read-records.ts";

const files: Record<string, string> = {
  test: "mmlu/test.csv.gz",
  validation: "mmlu/val.csv",
  dev: "mmlu/dev.csv",
};

/** MMLU (57 subjects, 4 options): test 14,042, validation 1,531, dev 285. */
export const mmlu: DatasetLoader = {
  name: "mmlu",
  description: "MMLU: 57-subject multiple choice (A-D); splits test, validation, dev",
  splits: ["test", "validation", "dev"],
  answerType: "choice",
  files: Object.values(files),
  async load({ split, file }) {
    return (await readDatasetRecords(file(files[split] ?? files["test"]!))).map((record, index) => {
      const choices = ["A", "B", "C", "D"].map((l) => stringField(record, l));
      const answer = letterOf(stringField(record, "answer"));
      if (!answer || !"ABCD".includes(answer))
        throw recordError(record, `field "answer" must be a letter A-D`);
      return {
        id: `mmlu-${split}-${index}`,
        question: formatMultipleChoice(stringField(record, "question"), choices),
        answer,
        answerType: "choice",
        choices,
        meta: { subject: record.value["subject"] },
      };
    });
  },
};
