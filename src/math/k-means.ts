import { SeededRandom } from "./seeded-random.ts";

/** A k-means clustering: each point's cluster and the clusters' centroids. */
export interface KMeansResult {
  assignment: number[];
  centroids: Float64Array[];
  iterations: number;
}

function squaredDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let j = 0; j < a.length; j++) d += (a[j]! - b[j]!) ** 2;
  return d;
}

/** Index of the centroid nearest to `point` (ties to the lower index). */
export function nearestCentroid(point: ArrayLike<number>, centroids: readonly ArrayLike<number>[]) {
  let best = 0;
  let bestD = Number.POSITIVE_INFINITY;
  for (let c = 0; c < centroids.length; c++) {
    const d = squaredDistance(point, centroids[c]!);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best;
}

/**
 * k-means (Euclidean) with k-means++ seeding from `seed`, then Lloyd iterations until no point
 * changes cluster (at most `maxIterations`). Deterministic for a seed. A cluster that empties keeps
 * its previous centroid (it can win points back), so `k` clusters always exist.
 */
export function kMeans(
  points: readonly ArrayLike<number>[],
  k: number,
  options: { seed?: number; maxIterations?: number } = {},
): KMeansResult {
  const n = points.length;
  if (!Number.isInteger(k) || k < 1 || k > n)
    throw new RangeError(`k-means needs 1 ≤ k ≤ ${n} points; got k = ${k}`);
  const dim = points[0]!.length;
  const rng = new SeededRandom(options.seed ?? 42);
  // k-means++: each next centre is drawn with probability ∝ squared distance to the nearest one.
  const centroids: Float64Array[] = [Float64Array.from(points[rng.int(n)]!)];
  const nearest = points.map((p) => squaredDistance(p, centroids[0]!));
  while (centroids.length < k) {
    const total = nearest.reduce((a, b) => a + b, 0);
    const next = total > 0 ? rng.weighted(nearest) : rng.int(n);
    const centre = Float64Array.from(points[next]!);
    centroids.push(centre);
    for (let i = 0; i < n; i++)
      nearest[i] = Math.min(nearest[i]!, squaredDistance(points[i]!, centre));
  }
  const assignment = new Array<number>(n).fill(-1);
  const maxIterations = options.maxIterations ?? 100;
  let iterations = 0;
  while (iterations < maxIterations) {
    iterations++;
    let changed = 0;
    for (let i = 0; i < n; i++) {
      const c = nearestCentroid(points[i]!, centroids);
      if (c !== assignment[i]) {
        assignment[i] = c;
        changed++;
      }
    }
    if (changed === 0) break;
    const sums = centroids.map(() => new Float64Array(dim));
    const counts = new Array<number>(k).fill(0);
    for (let i = 0; i < n; i++) {
      const c = assignment[i]!;
      counts[c]!++;
      for (let j = 0; j < dim; j++) sums[c]![j]! += points[i]![j]!;
    }
    for (let c = 0; c < k; c++)
      if (counts[c]! > 0)
        for (let j = 0; j < dim; j++) centroids[c]![j] = sums[c]![j]! / counts[c]!;
  }
  return { assignment, centroids, iterations };
}
