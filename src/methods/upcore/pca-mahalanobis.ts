import { SeededRandom } from "../../math/seeded-random.ts";
import { percentile } from "./isolation-forest.ts";

/**
 * The PCA(2) + Mahalanobis ablation (spec §3.2): project the centred features on their first
 * two principal components (scikit-learn `PCA(n_components=2)`), then score each point by its
 * squared Mahalanobis distance in that plane. The projected coordinates are uncorrelated with
 * variances λ₁, λ₂ (n − 1 denominator), so d² = z₁²/λ₁ + z₂²/λ₂. Returns −d² (lower is more
 * anomalous, like the other detectors' scores). Components come from power iteration with
 * deflation on the implicit covariance (O(n·d) per step, no d × d matrix), enough for d = 4096.
 */
export function negativeMahalanobisPca2(points: readonly ArrayLike<number>[]): number[] {
  const n = points.length;
  if (n < 3) throw new RangeError("PCA + Mahalanobis needs at least three points");
  const dim = points[0]!.length;
  const mean = new Float64Array(dim);
  for (const p of points) for (let j = 0; j < dim; j++) mean[j]! += p[j]! / n;
  const centred = points.map((p) => Float64Array.from({ length: dim }, (_, j) => p[j]! - mean[j]!));
  const rng = new SeededRandom(0);
  const components: Float64Array[] = [];
  const variances: number[] = [];
  // C·v = Xcᵀ(Xc·v)/(n − 1), minus the projections on components already found.
  const apply = (v: Float64Array): Float64Array => {
    const out = new Float64Array(dim);
    for (const x of centred) {
      let dot = 0;
      for (let j = 0; j < dim; j++) dot += x[j]! * v[j]!;
      for (let j = 0; j < dim; j++) out[j]! += (dot * x[j]!) / (n - 1);
    }
    for (let c = 0; c < components.length; c++) {
      const u = components[c]!;
      let dot = 0;
      for (let j = 0; j < dim; j++) dot += u[j]! * v[j]!;
      for (let j = 0; j < dim; j++) out[j]! -= variances[c]! * dot * u[j]!;
    }
    return out;
  };
  const normalise = (v: Float64Array): number => {
    let norm = 0;
    for (const x of v) norm += x * x;
    norm = Math.sqrt(norm);
    if (norm > 0) for (let j = 0; j < dim; j++) v[j]! /= norm;
    return norm;
  };
  for (let c = 0; c < 2; c++) {
    let v: Float64Array = Float64Array.from({ length: dim }, () => rng.normal());
    normalise(v);
    let lambda = 0;
    for (let iter = 0; iter < 5000; iter++) {
      const w = apply(v);
      const next = normalise(w);
      let change = 0;
      for (let j = 0; j < dim; j++)
        change = Math.max(change, Math.abs(Math.abs(w[j]!) - Math.abs(v[j]!)));
      v = w;
      lambda = next;
      if (change < 1e-13) break;
    }
    components.push(v);
    variances.push(lambda);
  }
  return centred.map((x) => {
    let d2 = 0;
    for (let c = 0; c < 2; c++) {
      let z = 0;
      for (let j = 0; j < dim; j++) z += x[j]! * components[c]![j]!;
      d2 += variances[c]! > 0 ? (z * z) / variances[c]! : 0;
    }
    return -d2;
  });
}

/**
 * Outliers by PCA(2) + Mahalanobis with the same contamination rule as the forest and LOF
 * (strictly below the contamination percentile of the scores), so the pruned counts match. The
 * reference's cut-off (a χ² quantile of 0.5) could not be verified and is not used.
 */
export function pcaMahalanobisOutliers(
  points: readonly ArrayLike<number>[],
  options: { contamination: number },
): { outlier: boolean[]; scores: number[]; threshold: number } {
  const scores = negativeMahalanobisPca2(points);
  const threshold = percentile(scores, 100 * options.contamination);
  return { outlier: scores.map((s) => s < threshold), scores, threshold };
}
