import type { DatasetLoader } from "./dataset-loader.ts";
import { readRecords, recordError, stringField } from "./read-records.ts";
import { requireSharedDataset } from "./shared-file.ts";

/** GSM8K test (1319 grade-school word problems); gold = the number after "#### ". */
export const gsm8k: DatasetLoader = {
  name: "gsm8k",
  description: "GSM8K test split: grade-school math word problems, numeric answers",
  splits: ["test"],
  answerType: "number",
  load() {
    return readRecords(requireSharedDataset("gsm8k/test.jsonl")).map((record, index) => {
      const solution = stringField(record, "answer");
      const gold = /####\s*(.+)\s*$/.exec(solution)?.[1]?.replace(/,/g, "").trim();
      if (!gold) throw recordError(record, 'field "answer" has no final "#### <number>"');
      return {
        id: `gsm8k-${index}`,
        question: stringField(record, "question"),
        answer: gold,
        answerType: "number",
        meta: { solution },
      };
    });
  },
};
