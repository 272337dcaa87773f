import { SeededRandom } from "../math/seeded-random.ts";
import type { Interval } from "./bootstrap.ts";

interface HierarchicalOptions {
  seed?: number;
  resamples?: number;
  level?: number;
}

const mean1 = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** A mean of one sample: redrawn item by item (with replacement) from `rng`. */
function redraw(xs: readonly number[], rng: SeededRandom): number {
  let sum = 0;
  for (let i = 0; i < xs.length; i++) sum += xs[rng.int(xs.length)]!;
  return sum / xs.length;
}

/**
 * The shared two-level percentile bootstrap: resample the groups (seeds) with replacement, then
 * each drawn group's statistic from its items (`draw`); the replicate is the mean over the drawn
 * groups.
 */
function twoLevel<G>(
  groups: readonly G[],
  point: (g: G) => number,
  draw: (g: G, rng: SeededRandom) => number,
  options: HierarchicalOptions,
): Interval {
  if (groups.length === 0) return { mean: Number.NaN, low: Number.NaN, high: Number.NaN };
  const mean = mean1(groups.map(point));
  const resamples = options.resamples ?? 2000;
  const rng = new SeededRandom(options.seed ?? 0);
  const stats: number[] = [];
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let g = 0; g < groups.length; g++) sum += draw(groups[rng.int(groups.length)]!, rng);
    stats.push(sum / groups.length);
  }
  stats.sort((a, b) => a - b);
  const alpha = (1 - (options.level ?? 0.95)) / 2;
  const at = (q: number) => stats[Math.min(resamples - 1, Math.max(0, Math.floor(q * resamples)))]!;
  return { mean, low: at(alpha), high: at(1 - alpha) };
}

/**
 * Mean over groups of per-item values (e.g. per-seed paired differences on the same items) with
 * a two-level percentile bootstrap: resample the groups (seeds) with replacement, then the items
 * within each drawn group; the statistic is the mean of the drawn groups' item means. This is the
 * testbed's interval where training randomness dominates (docs/testbed.md §4): it is wider than
 * an items-only bootstrap whenever seeds disagree.
 */
export function hierarchicalBootstrapMean(
  groups: ReadonlyArray<readonly number[]>,
  options: HierarchicalOptions = {},
): Interval {
  return twoLevel(
    groups.filter((g) => g.length > 0),
    mean1,
    redraw,
    options,
  );
}

/**
 * Mean over groups of mean(a) − mean(b), where a and b are two samples of different items (e.g.
 * one seed's CtI and ItC items, or two variants' flips over the items each got right first):
 * seeds are resampled, then each drawn seed's a and b independently. A group missing either
 * sample is left out.
 */
export function hierarchicalBootstrapDifference(
  groups: ReadonlyArray<{ a: readonly number[]; b: readonly number[] }>,
  options: HierarchicalOptions = {},
): Interval {
  return twoLevel(
    groups.filter((g) => g.a.length > 0 && g.b.length > 0),
    (g) => mean1(g.a) - mean1(g.b),
    (g, rng) => redraw(g.a, rng) - redraw(g.b, rng),
    options,
  );
}
