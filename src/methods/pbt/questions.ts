import { readRecords, recordError, stringField } from "../../evals/datasets/read-records.ts";
import { DataError } from "../../model/errors.ts";
import type { PbtQuestion } from "./dialogue-tree.ts";

const strings = (v: unknown): string[] | undefined =>
  Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === "string") ? v : undefined;

/**
 * Questions with gold aliases from a JSONL/JSON/CSV file: `question` plus `answer` (a string),
 * `answers`/`aliases`/`gold` (lists), or TriviaQA's `answer` object (`normalized_aliases`,
 * `aliases`, `value`); `id` optional (default the line).
 * @throws DataError naming file and line for a record without a question or gold answer.
 */
export function readQuestions(file: string): PbtQuestion[] {
  const questions = readRecords(file).map((r, i): PbtQuestion => {
    const v = r.value;
    const answer = v["answer"];
    let gold = strings(v["answers"]) ?? strings(v["aliases"]) ?? strings(v["gold"]) ?? undefined;
    if (!gold && typeof answer === "string" && answer.trim() !== "") gold = [answer];
    if (!gold && answer && typeof answer === "object") {
      const o = answer as Record<string, unknown>;
      gold = strings(o["normalized_aliases"]) ?? strings(o["aliases"]);
      if (!gold && typeof o["value"] === "string") gold = [o["value"]];
    }
    if (!gold)
      throw recordError(
        r,
        'no gold answer: give "answer" (a string), "answers", "aliases" or "gold" (lists of strings)',
      );
    const id = v["id"] ?? v["question_id"];
    return {
      id: typeof id === "string" || typeof id === "number" ? String(id) : `q${i}`,
      question: stringField(r, "question"),
      gold,
    };
  });
  if (questions.length === 0) throw new DataError("no questions in the file", { file });
  return questions;
}
