/**
 * The testbed measurement's report from a run folder: every stored (condition, seed) result, the
 * claim's rules (laser-abacus-claim.ts) and the table lines `chorus demo laser --full` prints.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { Interval } from "../../evals/bootstrap.ts";
import { type LaserClaimReport, laserClaimReport } from "./laser-abacus-claim.ts";
import { laserConditions, laserTrainSeeds } from "./laser-abacus-conditions.ts";
import type { TrainedRms } from "./laser-abacus-rm-train.ts";
import { type ConditionSeedResult, readConditionResult } from "./laser-abacus-run.ts";

/** Every finished (condition, seed) in the run folder, in the catalogue's order. */
export function storedResults(runDir: string): ConditionSeedResult[] {
  return laserConditions.flatMap((c) => {
    const dir = join(runDir, c.name);
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .flatMap((d) => (/^seed-\d+$/.test(d) ? [Number(d.slice(5))] : []))
      .sort((a, b) => a - b)
      .flatMap((seed) => readConditionResult(runDir, c.name, seed) ?? []);
  });
}

/** The claim report over the folder, against every registered condition and seeds 1–3. */
export function laserRunReport(runDir: string, rms: TrainedRms): LaserClaimReport {
  return laserClaimReport(
    storedResults(runDir),
    { conditions: laserConditions.map((c) => c.name), seeds: laserTrainSeeds },
    rms.pass,
  );
}

const pts = (i: Interval) => `${i.mean.toFixed(1)} [${i.low.toFixed(1)}, ${i.high.toFixed(1)}]`;
const pct = (x: number) => `${(100 * x).toFixed(0)}%`;
const shares = (s: Record<string, number>) =>
  Object.entries(s)
    .map(([f, v]) => `${f} ${pct(v)}`)
    .join(", ");

/** The report's lines: RMs and precondition, accuracies, rules 1–4, RM_len, null world, verdict. */
export function renderLaserRun(rms: TrainedRms, r: LaserClaimReport): string[] {
  const lines = Object.values(rms.rms).map(
    (m) =>
      `RM_${m.family}: ${m.examples} examples (${m.positives} +), loss ${m.firstLoss.toFixed(2)} → ${m.loss.toFixed(2)} · AUROC ${m.heldout.auroc.toFixed(3)}${m.heldout.ci ? ` [${m.heldout.ci.low.toFixed(3)}, ${m.heldout.ci.high.toFixed(3)}]` : ""} on ${m.heldout.samples} held-out samples (${m.heldout.right} right) → ${m.heldout.pass ? "pass" : "MISS"}`,
  );
  lines.push(
    `RM precondition (AUROC ≥ ${rms.settings.minAuroc} each): ${rms.pass ? "met" : "FAILED: the loop is not run"}`,
  );
  for (const [c, a] of Object.entries(r.accuracy))
    lines.push(`${c.padEnd(13)} test accuracy ${pts(a)} points (${a.seeds} seeds)`);
  if (r.rule1)
    lines.push(
      `rule 1 late choice of the family's RM ≥ 80%: ${shares(r.rule1.pooled)} (per seed: ${r.rule1.perSeed.map(shares).join(" | ")}${r.missing.length > 0 ? `; at best ${shares(r.rule1.best)} once every seed is in` : ""}) → ${r.rule1.pass ? "pass" : "MISS"}`,
    );
  if (r.rule2)
    lines.push(
      `rule 2 LASeR − best single (${r.rule2.bestSingle}) ≥ 0: ${pts(r.rule2.diff)} → ${r.rule2.pass ? "pass" : "MISS"}`,
    );
  if (r.rule3)
    lines.push(
      `rule 3 LASeR − random > 0: ${pts(r.rule3.random.diff)}${r.rule3.random.strong ? " (strong)" : ""} · LASeR − ensemble > 0: ${pts(r.rule3.ensemble.diff)}${r.rule3.ensemble.strong ? " (strong)" : ""} → ${r.rule3.pass ? "pass" : "MISS"}`,
    );
  if (r.rule4)
    lines.push(
      `rule 4 RM calls LASeR / ensemble ≤ ${r.rule4.max.toFixed(3)}: ${r.rule4.ratio.toFixed(3)} → ${r.rule4.pass ? "pass" : "MISS"}`,
    );
  if (r.rmLen) lines.push(`K = 4: late-batch share choosing RM_len: ${shares(r.rmLen)} (reported)`);
  if (r.nullWorld)
    lines.push(
      `null world LASeR − random within ±3 points or CI ∋ 0: ${pts(r.nullWorld.diff)} → ${r.nullWorld.pass ? "as expected" : "NOT as expected"}`,
    );
  if (r.missing.length > 0)
    lines.push(
      `missing (${r.missing.length}): ${r.missing.slice(0, 12).join(", ")}${r.missing.length > 12 ? ", …" : ""}`,
    );
  lines.push(`claim ${r.verdict} (pre-registered in docs/laser.md)`);
  return lines;
}
