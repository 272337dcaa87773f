import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { DataError } from "../../model/errors.ts";
import { sharedFile } from "../shared-dir.ts";
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

/** BBQ as "Q: {context} {question} A:" + " {answer}" items (spec §3.1), label = the correct answer. */
export function loadBbq(
  category: (typeof bbqCategories)[number],
  options: { path?: string } = {},
): ChoiceItem[] {
  const file = options.path ?? sharedFile("datasets", "bbq", `${category}.jsonl.gz`);
  if (!file)
    throw new DataError(
      `BBQ ${category} is missing: expected ../shared/datasets/bbq/${category}.jsonl.gz`,
    );
  let text: string;
  try {
    text = gunzipSync(readFileSync(file)).toString("utf8");
  } catch (error) {
    throw new DataError(`cannot read BBQ: ${(error as Error).message}`, { file });
  }
  const items: ChoiceItem[] = [];
  for (const [i, line] of text.split("\n").entries()) {
    if (line.trim() === "") continue;
    const r = JSON.parse(line) as Record<string, unknown>;
    const answers = [r.ans0, r.ans1, r.ans2];
    if (
      typeof r.context !== "string" ||
      typeof r.question !== "string" ||
      !answers.every((a) => typeof a === "string") ||
      typeof r.label !== "number"
    )
      throw new DataError("expected context, question, ans0..ans2 and label", {
        file,
        line: i + 1,
      });
    items.push({
      id: `bbq-${category}-${String(r.example_id ?? i)}`,
      prompt: `Q: ${r.context} ${r.question} A:`,
      choices: (answers as string[]).map((a) => ` ${a}`),
      correct: [r.label],
    });
  }
  return items;
}
