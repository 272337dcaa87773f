import { basename } from "node:path";
import { DataError } from "../../model/errors.ts";
import { choiceLetters, letterOf } from "../answers/choice.ts";
import type { AnswerType } from "../answers/extract-answer.ts";
import type { EvalItem } from "../eval-item.ts";
import { formatMultipleChoice } from "./multiple-choice.ts";
import { readDatasetRecords, recordError, stringField, textOf } from "./read-records.ts";

/** Which record fields hold what, for users' own files. */
export interface FieldMapping {
  /** Default: the `id` field when the file's first record has one, else `<file stem>-<index>`. */
  id?: string;
  /** Default "question". */
  question?: string;
  /** Default "answer". Omit the field in the file only with answerType "none". */
  answer?: string;
  /** A field holding a list of options, or several fields (columns) holding one option each. */
  choices?: string | string[];
  /** Default: "choice" when choices are mapped, else "math". */
  answerType?: AnswerType;
}

/**
 * Loads a user's JSONL / JSON / CSV file (optionally .gz) or parquet file with a field mapping.
 * Items are named by the mapped id field; without one, by an `id` field when the first record has
 * one (then every record must), else by the file and index. For choices, the gold answer may be a
 * letter or the text of one of the options.
 * @throws DataError with file and line on a record that lacks a mapped field.
 */
export async function loadCustomFile(
  file: string,
  mapping: FieldMapping = {},
): Promise<EvalItem[]> {
  const questionField = mapping.question ?? "question";
  const answerField = mapping.answer ?? "answer";
  const answerType = mapping.answerType ?? (mapping.choices ? "choice" : "math");
  const stem = basename(file).replace(/\.(jsonl|json|csv)(\.gz)?$|\.parquet$/, "");
  const records = await readDatasetRecords(file);
  const idField = mapping.id ?? (records[0]?.value["id"] !== undefined ? "id" : undefined);
  const items = records.map((record, index): EvalItem => {
    let choices: string[] | undefined;
    if (typeof mapping.choices === "string") {
      const value = record.value[mapping.choices];
      if (!Array.isArray(value) || value.length < 2)
        throw recordError(
          record,
          `field "${mapping.choices}" must be a list of at least 2 options`,
        );
      choices = value.map(textOf);
    } else if (mapping.choices) choices = mapping.choices.map((f) => stringField(record, f));
    let answer = answerType === "none" ? "" : stringField(record, answerField).trim();
    if (choices && answerType === "choice") {
      const byText = choices.findIndex((c) => c.trim() === answer);
      const letter = byText >= 0 ? choiceLetters(choices.length)[byText] : letterOf(answer);
      if (!letter || !choiceLetters(choices.length).includes(letter))
        throw recordError(
          record,
          `field "${answerField}" must be an option letter or the text of one of the ${choices.length} options`,
        );
      answer = letter;
    }
    const question = stringField(record, questionField);
    const meta = { ...record.value };
    return {
      id: idField ? stringField(record, idField) : `${stem}-${index}`,
      question: choices ? formatMultipleChoice(question, choices) : question,
      answer,
      answerType,
      ...(choices ? { choices } : {}),
      meta,
    };
  });
  const seen = new Set<string>();
  for (const item of items) {
    if (seen.has(item.id)) throw new DataError(`duplicate id "${item.id}"`, { file });
    seen.add(item.id);
  }
  return items;
}

/**
 * Parses the CLI form of a mapping: "question=problem,answer=solution,choices=A|B|C|D".
 * @throws DataError on an unknown key.
 */
export function parseFieldMapping(text: string): FieldMapping {
  const mapping: FieldMapping = {};
  for (const part of text.split(",").filter((p) => p.trim() !== "")) {
    const [key, value] = part.split("=").map((s) => s.trim());
    if (!key || !value) throw new DataError(`bad field mapping "${part}"; use key=field`);
    if (key === "choices") mapping.choices = value.includes("|") ? value.split("|") : value;
    else if (key === "id" || key === "question" || key === "answer") mapping[key] = value;
    else throw new DataError(`unknown mapping key "${key}"; use id, question, answer or choices`);
  }
  return mapping;
}
