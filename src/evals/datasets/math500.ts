import type { DatasetLoader } from "./dataset-loader.ts";
import { readDatasetRecords, stringField } from "./read-records.ts";

/** MATH-500 (the PRM800K subset of MATH test); LaTeX answers. */
export const math500: DatasetLoader = {
  name: "math500",
  description: "MATH-500: competition math, LaTeX answers (boxed)",
  splits: ["test"],
  answerType: "math",
  files: ["math500/test.jsonl"],
  hub: {
    repo: "HuggingFaceH4/MATH-500",
    revision: "main",
    files: { "math500/test.jsonl": "test.jsonl" },
  },
  async load({ file }) {
    return (await readDatasetRecords(file("math500/test.jsonl"))).map((record, index) => ({
      id:
        typeof record.value["unique_id"] === "string"
          ? record.value["unique_id"]
          : `math500-${index}`,
      question: stringField(record, "problem"),
      answer: stringField(record, "answer"),
      answerType: "math",
      meta: { subject: record.value["subject"], level: record.value["level"] },
    }));
  },
};
