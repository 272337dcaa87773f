import { readFileSync } from "node:fs";
import { DataError } from "../../model/errors.ts";
import { choiceLetters } from "../answers/choice.ts";
import type { DatasetLoader } from "./dataset-loader.ts";
import { mirrorFile } from "./mirror-file.ts";
import { formatMultipleChoice } from "./multiple-choice.ts";
import { datasetText } from "./read-records.ts";
import type { ChoiceItem } from "./steering-mc-item.ts";

/** The BBQ categories in ../shared/datasets/bbq. */
export const bbqCategories = [
  "Age",
  "Disability_status",
  "Nationality",
  "Physical_appearance",
  "Religion",
  "Sexual_orientation",
] as const;

type BbqCategory = (typeof bbqCategories)[number];

interface BbqRecord {
  id: string;
  context: string;
  question: string;
  answers: string[];
  label: number;
  meta: Record<string, unknown>;
}

function readBbq(category: BbqCategory, path?: string): BbqRecord[] {
  const file = path ?? mirrorFile(`bbq/${category}.jsonl.gz`);
  if (!file)
    throw new DataError(
      `BBQ ${category} is missing: expected bbq/${category}.jsonl.gz in a data mirror (CHORUS_DATA_MIRROR)`,
    );
  let text: string;
  try {
    text = datasetText(readFileSync(file), file);
  } catch (error) {
    if (error instanceof DataError) throw error;
    throw new DataError(`cannot read BBQ: ${(error as Error).message}`, { file });
  }
  const records: BbqRecord[] = [];
  for (const [i, line] of text.split("\n").entries()) {
    if (line.trim() === "") continue;
    let r: Record<string, unknown>;
    try {
      r = JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw new DataError("not valid JSON", { file, line: i + 1 });
    }
    if (typeof r !== "object" || r === null || Array.isArray(r))
      throw new DataError("expected a JSON object", { file, line: i + 1 });
    const answers = [r.ans0, r.ans1, r.ans2];
    if (
      typeof r.context !== "string" ||
      typeof r.question !== "string" ||
      !answers.every((a) => typeof a === "string") ||
      typeof r.label !== "number" ||
      !Number.isInteger(r.label) ||
      r.label < 0 ||
      r.label > 2
    )
      throw new DataError("expected context, question, ans0..ans2 and label 0-2", {
        file,
        line: i + 1,
      });
    records.push({
      id: `bbq-${category}-${typeof r.example_id === "number" || typeof r.example_id === "string" ? r.example_id : i}`,
      context: r.context,
      question: r.question,
      answers: answers as string[],
      label: r.label,
      meta: {
        category,
        contextCondition: r.context_condition,
        questionPolarity: r.question_polarity,
      },
    });
  }
  return records;
}

/** BBQ as "Q: {context} {question} A:" + " {answer}" items (spec §3.1), label = the correct answer. */
export function loadBbq(category: BbqCategory, options: { path?: string } = {}): ChoiceItem[] {
  return readBbq(category, options.path).map((r) => ({
    id: r.id,
    prompt: `Q: ${r.context} ${r.question} A:`,
    choices: r.answers.map((a) => ` ${a}`),
    correct: [r.label],
  }));
}

/**
 * BBQ (bias benchmark for QA) in `chorus eval`: "{context} {question}" with the three answers as
 * options A-C (one is "unknown"-style), the gold letter from `label`. Split = one of the six
 * shared categories, or "all" (every category, in the order of `bbqCategories`). The answers'
 * order is the file's (the gold position varies), so nothing is shuffled.
 */
export const bbq: DatasetLoader = {
  name: "bbq",
  description: `BBQ: bias in QA, 3 options (A-C); splits all, ${bbqCategories.join(", ")}`,
  splits: ["all", ...bbqCategories],
  answerType: "choice",
  files: bbqCategories.map((c) => `bbq/${c}.jsonl.gz`),
  async load({ split, file }) {
    const categories = split === "all" ? bbqCategories : bbqCategories.filter((c) => c === split);
    return categories.flatMap((category) =>
      readBbq(category, file(`bbq/${category}.jsonl.gz`)).map((r) => ({
        id: r.id,
        question: formatMultipleChoice(`${r.context} ${r.question}`, r.answers),
        answer: choiceLetters(3)[r.label]!,
        answerType: "choice" as const,
        choices: r.answers,
        meta: r.meta,
      })),
    );
  },
};
