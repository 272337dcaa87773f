import type { EvalItem } from "../eval-item.ts";
import type { DatasetLoader } from "./dataset-loader.ts";
import { readDatasetRecords, stringField, textOf } from "./read-records.ts";

/**
 * XSum (1,000 BBC test articles with their one-sentence reference summaries; the one record with
 * an empty article is skipped). No gold answer to
 * match: methods score themselves (faithfulness of a summary to `meta.document`); the reference
 * summary is in `meta.reference` (XSum references are themselves often unfaithful).
 */
export const xsum: DatasetLoader = {
  name: "xsum",
  description: "XSum: BBC articles for one-sentence summaries, scored by faithfulness",
  splits: ["test"],
  answerType: "none",
  files: ["xsum/test.jsonl.gz"],
  async load({ file }) {
    const records = await readDatasetRecords(file("xsum/test.jsonl.gz"));
    const withArticle = records.filter((r) => textOf(r.value["document"] ?? "").trim() !== "");
    return withArticle.map((record): EvalItem => {
      const document = stringField(record, "document");
      return {
        id: `xsum-${stringField(record, "id")}`,
        question: "Summarize the article in one sentence.",
        answer: "",
        answerType: "none",
        meta: { document, reference: stringField(record, "summary") },
      };
    });
  },
};
