import type { DatasetLoader } from "./dataset-loader.ts";
import { readDatasetRecords, stringField } from "./read-records.ts";

/** SVAMP (1000 arithmetic word problems); question = Body + Question. */
export const svamp: DatasetLoader = {
  name: "svamp",
  description: "SVAMP: arithmetic word problems with varied structure, numeric answers",
  splits: ["test"],
  answerType: "number",
  files: ["svamp/test.jsonl"],
  async load({ file }) {
    return (await readDatasetRecords(file("svamp/test.jsonl"))).map((record, index) => {
      const body = stringField(record, "Body").trim();
      const question = stringField(record, "Question").trim();
      return {
        id: typeof record.value["ID"] === "string" ? record.value["ID"] : `svamp-${index}`,
        question: `${body}${/[.?!]$/.test(body) ? "" : "."} ${question}`,
        answer: String(Number(stringField(record, "Answer"))),
        answerType: "number",
        meta: { type: record.value["Type"], equation: record.value["Equation"] },
      };
    });
  },
};
