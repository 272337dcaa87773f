import { readFileSync } from "node:fs";
import { SeededRandom } from "../../math/seeded-random.ts";
import { DataError } from "../../model/errors.ts";
import { choiceLetters } from "../answers/choice.ts";
import { type DatasetLoader, holdoutSplit } from "./dataset-loader.ts";
import { mirrorFile } from "./mirror-file.ts";
import { formatMultipleChoice } from "./multiple-choice.ts";
import type { ChoiceItem } from "./steering-mc-item.ts";

interface McRecord {
  question: string;
  mc1_targets: Record<string, number>;
  mc2_targets: Record<string, number>;
}

function read(path?: string): McRecord[] {
  const file = path ?? mirrorFile("truthfulqa/mc_task.json");
  if (!file)
    throw new DataError(
      "TruthfulQA is missing: expected truthfulqa/mc_task.json in a data mirror (CHORUS_DATA_MIRROR)",
    );
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new DataError(`cannot read TruthfulQA: ${(error as Error).message}`, { file });
  }
  if (!Array.isArray(value)) throw new DataError("expected a JSON array of questions", { file });
  value.forEach((r, i) => {
    const ok =
      isObject(r) &&
      typeof r["question"] === "string" &&
      [r["mc1_targets"], r["mc2_targets"]].every((t) => t === undefined || isObject(t));
    if (!ok)
      throw new DataError(
        `element ${i + 1}: expected {question: string, mc1_targets, mc2_targets: {answer: 0|1}}`,
        { file },
      );
  });
  return value as McRecord[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** TruthfulQA MC1 (`mc_task.json`) as "Q: {question} A:" + " {choice}" items (spec §3.1 format). */
export function loadTruthfulQaMc(
  options: { path?: string; target?: "mc1" | "mc2" } = {},
): ChoiceItem[] {
  const key = options.target === "mc2" ? "mc2_targets" : "mc1_targets";
  return read(options.path).map((r, i) => {
    const entries = Object.entries(r[key] ?? {});
    return {
      id: `tqa-${i}`,
      prompt: `Q: ${r.question} A:`,
      choices: entries.map(([choice]) => ` ${choice}`),
      correct: entries.flatMap(([, label], j) => (label === 1 ? [j] : [])),
    };
  });
}

/** MC2 statements for steering: "Q: {question} A: {choice}", label 1 = true (desirable). */
export function truthfulQaStatements(
  options: { path?: string } = {},
): { text: string; label: 0 | 1; question: number }[] {
  return read(options.path).flatMap((r, i) =>
    Object.entries(r.mc2_targets ?? {}).map(([choice, label]) => ({
      text: `Q: ${r.question} A: ${choice}`,
      label: label === 1 ? (1 as const) : (0 as const),
      question: i,
    })),
  );
}

/**
 * TruthfulQA MC1 in `chorus eval`: the question with its single-true options as letters (2-13
 * options, A-M). `mc_task.json` lists the true answer first, so the options are shuffled with a
 * seed derived from the item index (`SeededRandom("truthfulqa-mc1-<i>")`): stable across runs, and
 * a model that always answers "A" scores at chance, not 100%. Only one file exists, so
 * "validation" is every 10th question and "test" the rest (no overlap; "all" is all 790): train
 * a steerer on statements of validation questions (`truthfulQaStatements`, `question % 10 === 0`)
 * and evaluate on test.
 */
export const truthfulQaMc1: DatasetLoader = {
  name: "truthfulqa-mc1",
  description: "TruthfulQA MC1: one true answer among 2-13 (A-M), seeded option order",
  splits: ["test", "validation", "all"],
  answerType: "choice",
  files: ["truthfulqa/mc_task.json"],
  async load({ split, file }) {
    const items = read(file("truthfulqa/mc_task.json")).map((r, i) => {
      const entries = Object.entries(r.mc1_targets ?? {});
      if (entries.filter(([, label]) => label === 1).length !== 1)
        throw new DataError(`TruthfulQA question ${i}: mc1_targets must have one true answer`);
      const order = new SeededRandom(`truthfulqa-mc1-${i}`).shuffle(entries.map((_, j) => j));
      const choices = order.map((j) => entries[j]![0]);
      const gold = order.findIndex((j) => entries[j]![1] === 1);
      return {
        id: `tqa-${i}`,
        question: formatMultipleChoice(r.question, choices),
        answer: choiceLetters(choices.length)[gold]!,
        answerType: "choice" as const,
        choices,
        meta: { question: r.question },
      };
    });
    return holdoutSplit(items, split);
  },
};
