import { readFileSync, writeFileSync } from "node:fs";
import type { AnswerType } from "../../evals/answers/extract-answer.ts";
import { DataError } from "../../model/errors.ts";
import type { ModelProfile } from "./profiles.ts";

/** Everything preprocessing produces, saved as JSON and reused by `chorus eval symbolic-moe`. */
export interface MoeProfileFile {
  version: 1;
  dataset: string;
  split: string;
  answerType: AnswerType;
  /** Pool names, in pool order. */
  models: string[];
  profiles: Record<string, ModelProfile>;
  competence: Record<string, number>;
  /** Every keyword of the validation annotations (test keywords are mapped onto these). */
  vocabulary: string[];
  /** Validation accuracy per model (the best-single-model baseline's choice). */
  validationAccuracy: Record<string, number>;
  aggregator: string;
  aggregatorAccuracy: Record<string, number>;
  items: number;
  tau: number;
  createdAt: string;
}

/** Writes the profile file. */
export function saveProfileFile(path: string, profile: MoeProfileFile): void {
  writeFileSync(path, `${JSON.stringify(profile, null, 2)}\n`);
}

/**
 * Reads a profile file.
 * @throws DataError naming the file when it is missing, not JSON, or lacks a field.
 */
export function loadProfileFile(path: string): MoeProfileFile {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new DataError(`cannot read Symbolic-MoE profiles: ${(error as Error).message}`, {
      file: path,
    });
  }
  const v = value as Partial<MoeProfileFile>;
  for (const field of [
    "models",
    "profiles",
    "competence",
    "vocabulary",
    "aggregator",
    "answerType",
  ] as const)
    if (v?.[field] === undefined)
      throw new DataError(
        `not a Symbolic-MoE profile file: missing "${field}" (make one with chorus moe profile)`,
        {
          file: path,
        },
      );
  if (v.version !== 1)
    throw new DataError(`unsupported profile version ${String(v.version)}`, { file: path });
  return v as MoeProfileFile;
}
