import { percentile } from "./isolation-forest.ts";

/**
 * Local Outlier Factor with scikit-learn's semantics (spec §3.2 ablation; `LocalOutlierFactor`
 * defaults: Euclidean distance, n_neighbors 20 capped at n − 1). For each point p with its k
 * nearest other points N_k(p) and k-distance d_k(p) (distance to the k-th of them):
 *   reach(p, o) = max(d_k(o), d(p, o)),
 *   lrd(p) = 1 / (mean_{o ∈ N_k(p)} reach(p, o) + 1e-10),
 *   LOF(p) = mean_{o ∈ N_k(p)} lrd(o) / lrd(p),
 * and `negative_outlier_factor_` = −LOF (lower is more anomalous, like the forest's score_samples).
 */
export function negativeOutlierFactor(
  points: readonly ArrayLike<number>[],
  options: { neighbors?: number } = {},
): number[] {
  const n = points.length;
  if (n < 2) throw new RangeError("Local Outlier Factor needs at least two points");
  const k = Math.max(1, Math.min(options.neighbors ?? 20, n - 1));
  const dim = points[0]!.length;
  const distance = (a: ArrayLike<number>, b: ArrayLike<number>) => {
    let s = 0;
    for (let j = 0; j < dim; j++) {
      const d = a[j]! - b[j]!;
      s += d * d;
    }
    return Math.sqrt(s);
  };
  // k nearest other points of each point (ties broken by index, as a stable sort does).
  const neighbours: number[][] = [];
  const neighbourDistances: number[][] = [];
  for (let i = 0; i < n; i++) {
    const row: Array<{ j: number; d: number }> = [];
    for (let j = 0; j < n; j++) if (j !== i) row.push({ j, d: distance(points[i]!, points[j]!) });
    row.sort((a, b) => a.d - b.d || a.j - b.j);
    const nearest = row.slice(0, k);
    neighbours.push(nearest.map((x) => x.j));
    neighbourDistances.push(nearest.map((x) => x.d));
  }
  const kDistance = neighbourDistances.map((d) => d[k - 1]!);
  const lrd = neighbours.map((nb, i) => {
    let sum = 0;
    nb.forEach((o, m) => {
      sum += Math.max(kDistance[o]!, neighbourDistances[i]![m]!);
    });
    return 1 / (sum / k + 1e-10);
  });
  return neighbours.map((nb, i) => {
    let sum = 0;
    for (const o of nb) sum += lrd[o]! / lrd[i]!;
    return -(sum / k);
  });
}

/**
 * `LocalOutlierFactor(n_neighbors=20, contamination=c).fit_predict`: points whose
 * negative_outlier_factor_ falls strictly below its c-percentile are outliers (the same rule as
 * the forest, so the same pruned count).
 */
export function localOutlierFactorOutliers(
  points: readonly ArrayLike<number>[],
  options: { contamination: number; neighbors?: number },
): { outlier: boolean[]; scores: number[]; threshold: number } {
  const scores = negativeOutlierFactor(points, options);
  const threshold = percentile(scores, 100 * options.contamination);
  return { outlier: scores.map((s) => s < threshold), scores, threshold };
}
