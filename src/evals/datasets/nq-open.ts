import type { EvalItem } from "../eval-item.ts";
import type { DatasetLoader } from "./dataset-loader.ts";
import { answerList } from "./nq-swap.ts";
import { readDatasetRecords, stringField } from "./read-records.ts";

/**
 * NQ-open (1,769 NQ dev questions with re-annotated answers). Closed-book: the shared copy has no
 * passages, so `meta.context` is absent and context-aware decoders fall back to plain decoding.
 * Gold: the original answers plus the answers annotators marked definitely correct.
 */
export const nqOpen: DatasetLoader = {
  name: "nq-open",
  description: "NQ-open: closed-book open-domain QA (no passages), contains-answer",
  splits: ["test"],
  answerType: "text",
  files: ["nq_open/test.jsonl"],
  async load({ file }) {
    return (await readDatasetRecords(file("nq_open/test.jsonl"))).map((record, index): EvalItem => {
      const answers = answerList(
        record,
        record.value["answer_and_def_correct_predictions"] !== undefined
          ? "answer_and_def_correct_predictions"
          : "answer",
      );
      return {
        id: `nq-open-${index}`,
        question: stringField(record, "question"),
        answer: answers[0]!,
        answerType: "text",
        meta: { answers },
      };
    });
  },
};
