import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DataError } from "../../model/errors.ts";
import type { LinUcbState } from "./linucb.ts";
import type { BatchRecord } from "./selection-report.ts";

/** RM usage of one arm: batches it scored and responses it was called on. */
export interface ArmCalls {
  batches: number;
  responses: number;
}

/**
 * Where a LASeR training run stands, rewritten atomically after every batch (after the policy's
 * checkpoint, which it names), so a killed run resumes at the next batch with the same policy,
 * reference, bandit and counts.
 */
export interface LaserState {
  version: 1;
  /** Batches finished over all iterations. */
  done: number;
  /** Folder (in the run folder) of the policy checkpoint after batch `done`. */
  policyDir?: string;
  bandit?: LinUcbState;
  /** Mean projected context of the training batches under the initial policy (centring). */
  centre?: number[];
  /** Hidden size the projection was made for. */
  hiddenSize?: number;
  calls: Record<string, ArmCalls>;
  /** Per iteration: sum and count of batch losses. */
  losses: Array<{ sum: number; batches: number }>;
  stoppedEarly: boolean;
  /** The last batch's record (written to results.jsonl after this state; replayed on resume). */
  lastRecord?: BatchRecord;
}

export const stateFile = "laser-state.json";

export function readState(dir: string): LaserState | undefined {
  const path = join(dir, stateFile);
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, "utf8")) as LaserState;
  } catch (error) {
    throw new DataError(`not valid JSON (${(error as Error).message})`, { file: path });
  }
}

export function writeState(dir: string, state: LaserState): void {
  const path = join(dir, stateFile);
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(state));
  renameSync(tmp, path);
}
