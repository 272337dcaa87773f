import { SeededRandom } from "../math/seeded-random.ts";

/** A point estimate with its bootstrap percentile interval. */
export interface Interval {
  mean: number;
  low: number;
  high: number;
}

/**
 * Mean of `values` with a seeded percentile bootstrap interval (default 1000 resamples, 95%).
 * `paired` (same length) bootstraps the mean of `values − paired` with shared resample indices,
 * for comparing two methods on the same items.
 */
export function bootstrapMean(
  values: readonly number[],
  options: { seed?: number; resamples?: number; level?: number; paired?: readonly number[] } = {},
): Interval {
  const diffs = options.paired ? values.map((v, i) => v - (options.paired![i] ?? 0)) : values;
  const n = diffs.length;
  if (n === 0) return { mean: Number.NaN, low: Number.NaN, high: Number.NaN };
  const mean = diffs.reduce((a, b) => a + b, 0) / n;
  const resamples = options.resamples ?? 1000;
  const rng = new SeededRandom(options.seed ?? 0);
  const means: number[] = [];
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += diffs[rng.int(n)]!;
    means.push(sum / n);
  }
  means.sort((a, b) => a - b);
  const alpha = (1 - (options.level ?? 0.95)) / 2;
  const at = (q: number) => means[Math.min(resamples - 1, Math.max(0, Math.floor(q * resamples)))]!;
  return { mean, low: at(alpha), high: at(1 - alpha) };
}
