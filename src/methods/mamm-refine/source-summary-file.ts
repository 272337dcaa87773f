import { readRecords, recordError, stringField } from "../../evals/datasets/read-records.ts";
import type { MammRefineInput } from "./mamm-refine.ts";

/** One (source, summary) pair from a user's file, with its id. */
export interface SourceSummaryPair extends MammRefineInput {
  id: string;
}

/**
 * Reads users' (source, summary) pairs from JSONL/JSON/CSV (optionally .gz): the source in
 * `source` or `document`, the text in `summary` or `text`, optional `topic`, `task`, `id`, and
 * optional pre-split `sentences` (a list of strings).
 * @throws DataError with file and line for a record that lacks a source or summary.
 */
export function readSourceSummaryPairs(file: string): SourceSummaryPair[] {
  return readRecords(file).map((record, index) => {
    const value = record.value;
    const sourceField = value["source"] !== undefined ? "source" : "document";
    const textField = value["summary"] !== undefined ? "summary" : "text";
    const sentences = value["sentences"];
    if (
      sentences !== undefined &&
      !(Array.isArray(sentences) && sentences.every((s) => typeof s === "string"))
    )
      throw recordError(record, 'field "sentences" must be a list of strings');
    const optional = (field: string) =>
      typeof value[field] === "string" && value[field] !== ""
        ? { [field]: value[field] as string }
        : {};
    return {
      id: value["id"] !== undefined ? stringField(record, "id") : String(index),
      document: stringField(record, sourceField),
      text: stringField(record, textField),
      ...(sentences ? { sentences: sentences as string[] } : {}),
      ...optional("topic"),
      ...optional("task"),
    };
  });
}
