import type { AnswerType } from "./answers/extract-answer.ts";
import type { EvalItem } from "./eval-item.ts";

/** One line of an eval run's `items.jsonl`: what the item asked, for a reader of the run. */
export interface EvalItemLine {
  id: string;
  /** The question as shown to a model, whole. */
  question: string;
  answer: string;
  answerType: AnswerType;
  choices?: string[];
  /** The item's scalar meta fields (subject, context, document...), long strings cut. */
  meta: Record<string, string | number | boolean | null | (string | number | boolean | null)[]>;
}

/** Meta strings longer than this are cut: a document is context, not what the run is about. */
export const metaTextLimit = 2000;
/** Arrays in meta (gold spellings, tags) keep at most this many entries. */
const metaListLimit = 20;

type MetaScalar = string | number | boolean | null;

function scalar(value: unknown): MetaScalar | undefined {
  if (typeof value === "string")
    return value.length > metaTextLimit ? `${value.slice(0, metaTextLimit)}…` : value;
  if (typeof value === "number" || typeof value === "boolean" || value === null) return value;
  return undefined;
}

/**
 * The `items.jsonl` line of an eval item: question, gold answer and choices whole; of `meta` only
 * scalars and lists of scalars (cut), since meta can hold whole test suites or nested records,
 * and none that repeats the id, question or answer.
 */
export function evalItemLine(item: EvalItem): EvalItemLine {
  const meta: EvalItemLine["meta"] = {};
  // a file's whole record is its meta: its question, answer and id are already on the line
  const repeated = new Set([item.id, item.question, item.answer]);
  for (const [key, value] of Object.entries(item.meta)) {
    if (typeof value === "string" && repeated.has(value)) continue;
    if (Array.isArray(value)) {
      const list = value.slice(0, metaListLimit).map(scalar);
      if (list.every((v) => v !== undefined)) meta[key] = list as MetaScalar[];
      continue;
    }
    const s = scalar(value);
    if (s !== undefined) meta[key] = s;
  }
  return {
    id: item.id,
    question: item.question,
    answer: item.answer,
    answerType: item.answerType,
    ...(item.choices ? { choices: item.choices } : {}),
    meta,
  };
}
