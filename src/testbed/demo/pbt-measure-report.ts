import type { Interval } from "../../evals/bootstrap.ts";
import { hierarchicalBootstrapMean } from "../../evals/hierarchical-bootstrap.ts";
import { exposureBuckets } from "../build/atlas-checks.ts";
import {
  flipsOf,
  pairedDiffs,
  pbtVariantNames,
  pct,
  type SeedOutcomes,
  seedGroups,
  sideOf,
  teamOf,
  type VariantOutcomes,
} from "./pbt-claim.ts";

/** One variant over its training seeds: each measure with its hierarchical 95% interval. */
export interface VariantSummary {
  seeds: number;
  balanced: Interval;
  cti: Interval;
  itc: Interval;
  flipRate: Interval;
  /** Team final accuracy, mean of both speaking orders. */
  team: Interval;
  /** Team final accuracy speaking first − speaking second. */
  orderGap: Interval;
}

export function summarizeVariant(seeds: readonly VariantOutcomes[], seed = 0): VariantSummary {
  const h = (values: (o: VariantOutcomes) => number[]) =>
    hierarchicalBootstrapMean(seeds.map(values), { seed });
  return {
    seeds: seeds.length,
    balanced: h((o) => o.persuasion.map((p) => Number(p.correct))),
    cti: h((o) => sideOf(o, "resist")),
    itc: h((o) => sideOf(o, "accept")),
    flipRate: h(flipsOf),
    team: h((o) => teamOf(o).map((t) => t.acc)),
    orderGap: h((o) => teamOf(o).map((t) => t.gap)),
  };
}

/** PBT − base balanced accuracy on the evaluation pairs of one exposure bucket. */
export interface ExposureGain {
  min: number;
  max: number;
  /** Evaluation pairs whose fact's exposure count is in [min, max]. */
  n: number;
  base: number;
  pbt: number;
  gain: Interval;
}

/**
 * The claim's mechanism (PBT can only resist what it knows): PBT − base balanced accuracy per
 * exposure bucket of the knowledge curve (docs/testbed.md), paired by pair, hierarchical over
 * seeds. Expected to rise with exposure.
 */
export function exposureGains(
  v: SeedOutcomes,
  exposures: ReadonlyMap<string, number>,
  seed = 0,
): ExposureGain[] {
  const groups = seedGroups(v);
  return exposureBuckets.map(([min, max]) => {
    const inBucket = (o: VariantOutcomes) =>
      o.persuasion.filter((p) => {
        const e = exposures.get(p.id);
        return e !== undefined && e >= min && e <= max;
      });
    const acc = (o: VariantOutcomes) => inBucket(o).map((p) => Number(p.correct));
    const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    return {
      min,
      max,
      n: inBucket(groups[0]!.base).length,
      base: mean(acc(groups[0]!.base)),
      pbt: mean(groups.map((g) => mean(acc(g.pbt)))),
      gain: hierarchicalBootstrapMean(
        groups.map((g) => pairedDiffs(inBucket(g.pbt), inBucket(g.base), (p) => Number(p.correct))),
        { seed },
      ),
    };
  });
}

const p = (x: number) => (Number.isNaN(x) ? "—" : `${(100 * x).toFixed(1)}%`);
const range = (min: number, max: number) =>
  max === Number.POSITIVE_INFINITY ? `${min}+` : `${min}–${max}`;

/** The measurement's table: one row per variant, then the exposure buckets. */
export function measureTable(
  summaries: Record<string, VariantSummary>,
  gains: readonly ExposureGain[],
): string[] {
  return [
    "variant       seeds  balanced          CtI     ItC     flip rate  team (both orders, gap)",
    ...pbtVariantNames.map((name) => {
      const s = summaries[name]!;
      return `${name.padEnd(13)} ${String(s.seeds).padStart(5)}  ${pct(s.balanced).padEnd(17)} ${p(s.cti.mean).padStart(6)}  ${p(s.itc.mean).padStart(6)}  ${p(s.flipRate.mean).padStart(8)}   ${p(s.team.mean)} (gap ${p(s.orderGap.mean)})`;
    }),
    "exposure  pairs  base    PBT     PBT − base",
    ...gains.map(
      (g) =>
        `${range(g.min, g.max).padEnd(9)} ${String(g.n).padStart(5)}  ${p(g.base).padStart(6)}  ${p(g.pbt).padStart(6)}  ${g.n > 0 ? pct(g.gain) : "—"}`,
    ),
  ];
}
