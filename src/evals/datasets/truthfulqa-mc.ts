import { readFileSync } from "node:fs";
import { DataError } from "../../model/errors.ts";
import { sharedFile } from "../shared-dir.ts";
import type { ChoiceItem } from "./steering-mc-item.ts";

interface McRecord {
  question: string;
  mc1_targets: Record<string, number>;
  mc2_targets: Record<string, number>;
}

function read(path?: string): McRecord[] {
  const file = path ?? sharedFile("datasets", "truthfulqa", "mc_task.json");
  if (!file)
    throw new DataError(
      "TruthfulQA is missing: expected ../shared/datasets/truthfulqa/mc_task.json",
    );
  try {
    return JSON.parse(readFileSync(file, "utf8")) as McRecord[];
  } catch (error) {
    throw new DataError(`cannot read TruthfulQA: ${(error as Error).message}`, { file });
  }
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
