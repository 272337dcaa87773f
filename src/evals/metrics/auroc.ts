import { SeededRandom } from "../../math/seeded-random.ts";
import type { Interval } from "../bootstrap.ts";

/**
 * Area under the ROC curve of scores that should be higher for `positives` than for
 * `negatives`: the probability that a random positive outscores a random negative, ties counting
 * one half (the Mann–Whitney U statistic over n₊·n₋). NaN when either side is empty.
 */
export function auroc(positives: readonly number[], negatives: readonly number[]): number {
  if (positives.length === 0 || negatives.length === 0) return Number.NaN;
  const all = [
    ...positives.map((score) => ({ score, positive: true })),
    ...negatives.map((score) => ({ score, positive: false })),
  ].sort((a, b) => a.score - b.score);
  // Average ranks over ties, then U = R₊ − n₊(n₊+1)/2.
  let rankSumPositive = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j + 1 < all.length && all[j + 1]!.score === all[i]!.score) j++;
    const meanRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (all[k]!.positive) rankSumPositive += meanRank;
    i = j + 1;
  }
  const nPos = positives.length;
  const u = rankSumPositive - (nPos * (nPos + 1)) / 2;
  return u / (nPos * negatives.length);
}

/**
 * AUROC with a seeded percentile bootstrap interval over clusters (e.g. the samples of one
 * prompt, which are not independent): clusters are redrawn with replacement, replicates with
 * only one class are skipped. Default 1000 resamples, 95%.
 */
export function aurocInterval(
  clusters: ReadonlyArray<ReadonlyArray<{ score: number; positive: boolean }>>,
  options: { seed?: number; resamples?: number; level?: number } = {},
): Interval {
  const split = (cs: typeof clusters) => {
    const all = cs.flat();
    return auroc(
      all.filter((x) => x.positive).map((x) => x.score),
      all.filter((x) => !x.positive).map((x) => x.score),
    );
  };
  const rng = new SeededRandom(options.seed ?? 0);
  const stats: number[] = [];
  for (let r = 0; r < (options.resamples ?? 1000); r++) {
    const value = split(Array.from(clusters, () => clusters[rng.int(clusters.length)]!));
    if (!Number.isNaN(value)) stats.push(value);
  }
  stats.sort((a, b) => a - b);
  const alpha = (1 - (options.level ?? 0.95)) / 2;
  const at = (q: number) =>
    stats[Math.min(stats.length - 1, Math.max(0, Math.floor(q * stats.length)))] ?? Number.NaN;
  return { mean: split(clusters), low: at(alpha), high: at(1 - alpha) };
}
