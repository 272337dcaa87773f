import type { DatasetLoader } from "./dataset-loader.ts";
import type { HubSource } from "./hub-source.ts";
import { readDatasetRecords, stringField, textOf } from "./read-records.ts";

function competition(name: string, description: string, hub?: HubSource): DatasetLoader {
  return {
    name,
    description,
    splits: ["test"],
    answerType: "math",
    files: [`${name}/test.jsonl`],
    ...(hub ? { hub } : {}),
    async load({ file }) {
      return (await readDatasetRecords(file(`${name}/test.jsonl`))).map((record, index) => ({
        id: `${name}-${textOf(record.value["id"] ?? index)}`,
        question: stringField(record, "problem"),
        // AMC answers are stored as floats (27.0); the canonical form is "27"
        answer: String(Number(stringField(record, "answer"))),
        answerType: "math" as const,
        meta: { url: record.value["url"] },
      }));
    },
  };
}

/** AIME 2024 I + II (30 problems, integer answers). */
export const aime24 = competition("aime24", "AIME 2024 (I and II): 30 problems, integer answers", {
  repo: "HuggingFaceH4/aime_2024",
  revision: "main",
  files: { "aime24/test.jsonl": "data/train-00000-of-00001.parquet" },
});
/** AMC 2023 (40 problems). */
export const amc23 = competition("amc23", "AMC 2023: 40 problems, numeric answers");
