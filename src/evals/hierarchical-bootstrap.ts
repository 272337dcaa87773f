import { SeededRandom } from "../math/seeded-random.ts";
import type { Interval } from "./bootstrap.ts";

/**
 * Mean over groups of per-item values (e.g. per-seed paired differences on the same items) with
 * a two-level percentile bootstrap: resample the groups (seeds) with replacement, then the items
 * within each drawn group; the statistic is the mean of the drawn groups' item means. This is the
 * testbed's interval where training randomness dominates (docs/testbed.md §4): it is wider than
 * an items-only bootstrap whenever seeds disagree.
 */
export function hierarchicalBootstrapMean(
  groups: ReadonlyArray<readonly number[]>,
  options: { seed?: number; resamples?: number; level?: number } = {},
): Interval {
  const used = groups.filter((g) => g.length > 0);
  const mean1 = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  if (used.length === 0) return { mean: Number.NaN, low: Number.NaN, high: Number.NaN };
  const mean = mean1(used.map(mean1));
  const resamples = options.resamples ?? 2000;
  const rng = new SeededRandom(options.seed ?? 0);
  const stats: number[] = [];
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let g = 0; g < used.length; g++) {
      const group = used[rng.int(used.length)]!;
      let inner = 0;
      for (let i = 0; i < group.length; i++) inner += group[rng.int(group.length)]!;
      sum += inner / group.length;
    }
    stats.push(sum / used.length);
  }
  stats.sort((a, b) => a - b);
  const alpha = (1 - (options.level ?? 0.95)) / 2;
  const at = (q: number) => stats[Math.min(resamples - 1, Math.max(0, Math.floor(q * resamples)))]!;
  return { mean, low: at(alpha), high: at(1 - alpha) };
}
