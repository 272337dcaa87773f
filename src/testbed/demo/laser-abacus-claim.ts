/**
 * The verdict of LASeR's testbed measurement from whatever (condition, seed) results a run folder
 * holds (docs/laser.md, "Testbed claim" rules 1–4, the RM_len finding, the null world). A run
 * missing any registered (condition, seed) is "incomplete", never a verdict, unless rule 1 can
 * no longer pass whatever its missing seeds choose (Amendment 5: settled NOT REPRODUCED; nothing
 * settles a pass early); a failed RM precondition is "NOT REPRODUCED (precondition failed)"
 * whatever else is there.
 */
import type { Interval } from "../../evals/bootstrap.ts";
import { hierarchicalBootstrapMean } from "../../evals/hierarchical-bootstrap.ts";
import type { ConditionSeedResult } from "./laser-abacus-run.ts";

/** The family each reliable arm is for (rule 1: "arithmetic" read as "prog", Amendment 2). */
export const reliableArm: Record<string, string> = { list: "rm-list", prog: "rm-prog" };

export type LaserVerdict =
  | "REPRODUCED"
  | "NOT REPRODUCED"
  | "NOT REPRODUCED (precondition failed)"
  | "NOT REPRODUCED (settled: rule 1 cannot pass)"
  | "incomplete";

export interface Comparison {
  /** Paired per-item difference in points (hierarchical bootstrap: seeds, then items). */
  diff: Interval;
  pass: boolean;
  /** The 95% CI excludes 0 on the side of the claim (rule 3's "strongly confirmed"). */
  strong: boolean;
}

export interface LaserClaimReport {
  verdict: LaserVerdict;
  missing: string[];
  /** Test accuracy in points per condition (seeds pooled by the hierarchical bootstrap). */
  accuracy: Record<string, Interval & { seeds: number }>;
  rule1?: {
    pooled: Record<string, number>;
    perSeed: Record<string, number>[];
    pass: boolean;
    /** Per family, the pooled share if every missing laser seed chose the reliable RM throughout. */
    best: Record<string, number>;
  };
  rule2?: Comparison & { bestSingle: string };
  rule3?: { random: Comparison; ensemble: Comparison; pass: boolean };
  rule4?: { ratio: number; max: number; pass: boolean };
  /** K = 4: late-batch share choosing RM_len per family (reported, no pass condition). */
  rmLen?: Record<string, number>;
  /** Null world: LASeR − random within ±3 points or its CI includes 0. */
  nullWorld?: { diff: Interval; pass: boolean };
}

const k = 3;
const singles = ["single-list", "single-prog", "single-noise"];

/** The late-batch share of each family's batches that chose `arm(family)`, over `results`. */
function lateShares(results: readonly ConditionSeedResult[], arm: (f: string) => string) {
  const { chosen, total } = lateCounts(results, arm);
  return Object.fromEntries(Object.keys(total).map((f) => [f, (chosen[f] ?? 0) / total[f]!]));
}

/** Per family, late batches in all and those that chose `arm(family)`, over `results`. */
function lateCounts(results: readonly ConditionSeedResult[], arm: (f: string) => string) {
  const chosen: Record<string, number> = {};
  const total: Record<string, number> = {};
  for (const r of results)
    for (const [family, arms] of Object.entries(r.train.selection.late)) {
      for (const [a, n] of Object.entries(arms)) {
        total[family] = (total[family] ?? 0) + n;
        if (a === arm(family)) chosen[family] = (chosen[family] ?? 0) + n;
      }
    }
  return { chosen, total };
}

/**
 * Rule 1's best case: each family's pooled late share if every expected laser seed not yet run
 * had chosen the reliable arm on all its late batches (as many as a finished seed has).
 */
function bestLateShares(laser: readonly ConditionSeedResult[], missingSeeds: number) {
  const { chosen, total } = lateCounts(laser, (f) => reliableArm[f] ?? "");
  return Object.fromEntries(
    Object.keys(total).map((f) => {
      const extra = (missingSeeds * total[f]!) / laser.length;
      return [f, ((chosen[f] ?? 0) + extra) / (total[f]! + extra)];
    }),
  );
}

/** Per seed present in both, per item (paired by id): 100·(a − b). */
function pairedGroups(a: readonly ConditionSeedResult[], b: readonly ConditionSeedResult[]) {
  return a.flatMap((ra) => {
    const rb = b.find((x) => x.seed === ra.seed);
    if (!rb) return [];
    const right = new Map(rb.test.map((t) => [t.id, t.correct]));
    return [ra.test.map((t) => 100 * ((t.correct ? 1 : 0) - (right.get(t.id) ? 1 : 0)))];
  });
}

/**
 * The claim report. `results` are every stored (condition, seed); `expected` the registered
 * conditions and seeds; `preconditionPass` the RM precondition.
 */
export function laserClaimReport(
  results: readonly ConditionSeedResult[],
  expected: { conditions: readonly string[]; seeds: readonly number[] },
  preconditionPass: boolean,
): LaserClaimReport {
  const of = (c: string) => results.filter((r) => r.condition === c);
  const missing = expected.conditions.flatMap((c) =>
    expected.seeds.filter((s) => !of(c).some((r) => r.seed === s)).map((s) => `${c}/seed-${s}`),
  );
  const accuracy = Object.fromEntries(
    [...new Set(results.map((r) => r.condition))].map((c) => [
      c,
      {
        ...hierarchicalBootstrapMean(of(c).map((r) => r.test.map((t) => (t.correct ? 100 : 0)))),
        seeds: of(c).length,
      },
    ]),
  );
  const report: LaserClaimReport = { verdict: "incomplete", missing, accuracy };
  const compare = (a: string, b: string, strict: boolean): Comparison => {
    const diff = hierarchicalBootstrapMean(pairedGroups(of(a), of(b)));
    return { diff, pass: strict ? diff.mean > 0 : diff.mean >= 0, strong: diff.low > 0 };
  };
  const laser = of("laser");
  if (laser.length > 0) {
    const perSeed = laser.map((r) => lateShares([r], (f) => reliableArm[f] ?? ""));
    const pooled = lateShares(laser, (f) => reliableArm[f] ?? "");
    const fams = Object.keys(reliableArm);
    const missingSeeds = expected.seeds.filter((s) => !laser.some((r) => r.seed === s)).length;
    const best = bestLateShares(laser, missingSeeds);
    report.rule1 = {
      pooled,
      perSeed,
      pass: fams.every((f) => (pooled[f] ?? 0) >= 0.8),
      best,
    };
  }
  const present = singles.filter((s) => of(s).length > 0);
  if (laser.length > 0 && present.length > 0) {
    const bestSingle = present.reduce((a, b) => (accuracy[b]!.mean > accuracy[a]!.mean ? b : a));
    report.rule2 = { ...compare("laser", bestSingle, false), bestSingle };
  }
  if (laser.length > 0 && of("random").length > 0 && of("ensemble").length > 0) {
    const random = compare("laser", "random", true);
    const ensemble = compare("laser", "ensemble", true);
    report.rule3 = { random, ensemble, pass: random.pass && ensemble.pass };
  }
  if (laser.length > 0 && of("ensemble").length > 0) {
    const calls = (rs: readonly ConditionSeedResult[]) =>
      rs.reduce((a, r) => a + r.train.totalRmCalls, 0);
    const ratio =
      calls(laser) / calls(of("ensemble").filter((e) => laser.some((l) => l.seed === e.seed)));
    report.rule4 = { ratio, max: 1.05 / k, pass: ratio <= 1.05 / k };
  }
  if (of("laser-k4").length > 0) report.rmLen = lateShares(of("laser-k4"), () => "rm-len");
  if (of("null-laser").length > 0 && of("null-random").length > 0) {
    const diff = hierarchicalBootstrapMean(pairedGroups(of("null-laser"), of("null-random")));
    report.nullWorld = {
      diff,
      pass: Math.abs(diff.mean) <= 3 || (diff.low <= 0 && diff.high >= 0),
    };
  }
  if (!preconditionPass) report.verdict = "NOT REPRODUCED (precondition failed)";
  else if (missing.length > 0)
    report.verdict = Object.values(report.rule1?.best ?? {}).some((b) => b < 0.8)
      ? "NOT REPRODUCED (settled: rule 1 cannot pass)"
      : "incomplete";
  else {
    const all = [report.rule1, report.rule2, report.rule3, report.rule4].every((r) => r?.pass);
    report.verdict = all ? "REPRODUCED" : "NOT REPRODUCED";
  }
  return report;
}
