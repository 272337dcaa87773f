import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { accuracyOf, type ItemOutcome } from "../../methods/laser/evaluate.ts";
import { laserDefaults } from "../../methods/laser/laser-train.ts";
import { type BatchRecord, summariseSelection } from "../../methods/laser/selection-report.ts";
import type { LaserEvalView, LaserTrainView } from "../shared/training-data.ts";
import { resultsOf } from "./results-file.ts";

const readJson = <T>(path: string): T | undefined =>
  existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as T) : undefined;

/** What laser-state.json keeps that the view needs while a run is still training. */
interface StateFile {
  calls: Record<string, { batches: number; responses: number }>;
  losses: Array<{ sum: number; batches: number }>;
}

/**
 * A LASeR training folder (`chorus laser train`, or one condition of `chorus demo laser`): its
 * batch lines, and RM calls and losses from laser-report.json (a finished run) or the state
 * file (a run still training).
 */
export function laserTrainView(dir: string, label: string): LaserTrainView | null {
  const records = resultsOf<BatchRecord>(dir).filter(
    (r) => typeof r?.iteration === "number" && Array.isArray(r.arms),
  );
  const report = readJson<{
    arms: string[];
    rmCalls: StateFile["calls"];
    lossByIteration: number[];
  }>(join(dir, "laser-report.json"));
  const state = readJson<StateFile>(join(dir, "laser-state.json"));
  if (records.length === 0 && !report) return null;
  const selection = summariseSelection(records, laserDefaults.lateFraction);
  const rmCalls = report?.rmCalls ?? state?.calls ?? {};
  const arms = report?.arms ?? Object.keys(rmCalls);
  for (const r of records) for (const a of r.arms) if (!arms.includes(a)) arms.push(a);
  return {
    kind: "laser-train",
    label,
    strategy: records[0]?.strategy ?? "",
    arms,
    families: [...new Set(records.map((r) => r.family))],
    batches: records.map((r) => ({
      iteration: r.iteration,
      family: r.family,
      chosen: r.chosen,
      pairs: r.pairs,
      loss: r.loss,
      scaledReward: r.scaledReward ?? null,
    })),
    rmCalls,
    lossByIteration:
      report?.lossByIteration ??
      (state?.losses ?? []).map((l) => (l.batches > 0 ? l.sum / l.batches : Number.NaN)),
    lateFrom: selection.lateFrom,
    lateChoice: selection.lateChoice,
  };
}

/** `chorus laser eval`: accuracy with the command's own bootstrap (same seed), per family. */
export function laserEvalView(dir: string, seed: number): LaserEvalView {
  const outcomes = resultsOf<ItemOutcome & { arms?: string[] }>(dir);
  const report = accuracyOf(outcomes, seed);
  const rmCalls: Record<string, number> = {};
  for (const o of outcomes) for (const a of o.arms ?? []) rmCalls[a] = (rmCalls[a] ?? 0) + 1;
  return {
    kind: "laser-eval",
    accuracy: { ...report.accuracy, n: report.n },
    byFamily: Object.entries(report.byFamily).map(([family, f]) => ({ family, ...f })),
    rmCalls,
  };
}
