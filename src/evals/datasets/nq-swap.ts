import type { EvalItem } from "../eval-item.ts";
import type { DatasetLoader } from "./dataset-loader.ts";
import { readDatasetRecords, recordError, type SourceRecord, stringField } from "./read-records.ts";

/**
 * NQ-Swap (Longpre et al. 2021): NQ questions whose passage had its answer entity substituted, so
 * the context contradicts what a model memorised. Split "test" (default) gives the substituted
 * passage with the substituted answer as gold (the context-faithful target); "original" gives the
 * untouched passage and the original answer (no knowledge conflict). Every item carries
 * `meta.context`, `meta.answers` (all gold spellings) and the other variant's answers.
 */
export const nqSwap: DatasetLoader = {
  name: "nq-swap",
  description:
    "NQ-Swap: QA with an entity-substituted passage (knowledge conflict); contains-answer",
  splits: ["test", "original"],
  answerType: "text",
  files: ["nq_swap/test.jsonl.gz"],
  async load({ split, file }) {
    const substituted = split !== "original";
    return (await readDatasetRecords(file("nq_swap/test.jsonl.gz"))).map(
      (record, index): EvalItem => {
        const answers = answerList(record, substituted ? "sub_answer" : "org_answer");
        const other = answerList(record, substituted ? "org_answer" : "sub_answer");
        return {
          id: `nq-swap-${index}`,
          question: stringField(record, "question"),
          answer: answers[0]!,
          answerType: "text",
          meta: {
            context: cleanPassage(stringField(record, substituted ? "sub_context" : "org_context")),
            answers,
            otherAnswers: other,
            conflict: substituted,
          },
        };
      },
    );
  },
};

/** NQ passages keep their HTML paragraph tags; the model should not see them. */
export function cleanPassage(text: string): string {
  return text
    .replace(/<\/?[A-Za-z][^>]*>/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** A field holding a list of answers, or that list stringified (the HF copy's form). */
export function answerList(record: SourceRecord, field: string): string[] {
  let value = record.value[field];
  if (typeof value === "string") {
    const text = value;
    value = parseList(text) ?? parseList(text.replace(/'/g, '"')) ?? [text];
  }
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    !value.every((v) => typeof v === "string" && v.trim() !== "")
  )
    throw recordError(record, `field "${field}" must be a non-empty list of answer strings`);
  return value as string[];
}

function parseList(text: string): unknown[] | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
