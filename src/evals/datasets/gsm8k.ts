import type { DatasetLoader } from "./dataset-loader.ts";
import { readDatasetRecords, recordError, stringField } from "./read-records.ts";

/** GSM8K test (1319 grade-school word problems); gold = the number after "#### ". */
export const gsm8k: DatasetLoader = {
  name: "gsm8k",
  description: "GSM8K test split: grade-school math word problems, numeric answers",
  splits: ["test"],
  answerType: "number",
  files: ["gsm8k/test.jsonl"],
  hub: {
    repo: "openai/gsm8k",
    revision: "main",
    files: { "gsm8k/test.jsonl": "main/test-00000-of-00001.parquet" },
  },
  async load({ file }) {
    return (await readDatasetRecords(file("gsm8k/test.jsonl"))).map((record, index) => {
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
