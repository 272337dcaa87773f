import { letterOf } from "../answers/choice.ts";
import { type DatasetLoader, holdoutSplit } from "./dataset-loader.ts";
import { formatMultipleChoice } from "./multiple-choice.ts";
import { readDatasetRecords, recordError, stringField } from "./read-records.ts";

/**
 * MedMCQA dev split (4,183; options stored as one "A. …\nB. …" string, answer "<letter>. text").
 * "validation" = every 10th item, "test" the rest.
 */
export const medmcqa: DatasetLoader = {
  name: "medmcqa",
  description: "MedMCQA dev: medical entrance-exam multiple choice (A-D)",
  splits: ["test", "validation", "all"],
  answerType: "choice",
  files: ["medmcqa/dev.jsonl.gz"],
  async load({ split, file }) {
    const items = (await readDatasetRecords(file("medmcqa/dev.jsonl.gz"))).map((record, index) => {
      const choices = stringField(record, "options")
        .split("\n")
        .map((line) => /^\s*[A-D][.)]\s*(.*)$/.exec(line)?.[1]);
      if (choices.length !== 4 || choices.some((c) => c === undefined))
        throw recordError(record, 'field "options" must hold four lines "A. …" to "D. …"');
      const answer = letterOf(stringField(record, "answer"));
      if (!answer) throw recordError(record, 'field "answer" must start with a letter A-D');
      return {
        id: `medmcqa-${index}`,
        question: formatMultipleChoice(stringField(record, "question"), choices as string[]),
        answer,
        answerType: "choice" as const,
        choices: choices as string[],
        meta: { subject: record.value["subject"] },
      };
    });
    return holdoutSplit(items, split);
  },
};
