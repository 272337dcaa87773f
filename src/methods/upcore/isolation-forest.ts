import { SeededRandom } from "../../math/seeded-random.ts";

/**
 * Isolation Forest with scikit-learn's semantics (spec §3.2): ψ = min(256, n) samples per tree
 * without replacement, depth limit ⌈log₂ψ⌉, a random non-constant feature per node, a threshold
 * uniform between the node's min and max; path length = depth + c(leaf size);
 * score s(x) = 2^(−E[h(x)] / c(ψ)). Randomness differs from NumPy's, so individual trees differ from
 * scikit-learn's, but the scores agree in distribution.
 */
export interface IsolationForestOptions {
  trees: number;
  /** Samples per tree; default min(256, n). */
  maxSamples?: number;
  seed: number;
}

type Node =
  | { kind: "leaf"; size: number }
  | { kind: "split"; feature: number; threshold: number; left: Node; right: Node };

const eulerGamma = 0.5772156649;

/** Average path length of an unsuccessful BST search over n points (c(1) = 0, c(2) = 1). */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + eulerGamma) - (2 * (n - 1)) / n;
}

export class IsolationForest {
  readonly #trees: Node[] = [];
  readonly #samplesPerTree: number;

  constructor(points: readonly ArrayLike<number>[], options: IsolationForestOptions) {
    if (points.length === 0) throw new RangeError("Isolation Forest needs at least one point");
    const rng = new SeededRandom(options.seed);
    this.#samplesPerTree = Math.min(options.maxSamples ?? 256, points.length);
    const depthLimit = Math.ceil(Math.log2(Math.max(this.#samplesPerTree, 2)));
    for (let t = 0; t < options.trees; t++) {
      const sample = rng.sampleIndices(points.length, this.#samplesPerTree).map((i) => points[i]!);
      this.#trees.push(grow(sample, 0, depthLimit, rng));
    }
  }

  /** Anomaly score s(x) in (0, 1]: higher is more anomalous. */
  anomalyScore(x: ArrayLike<number>): number {
    let total = 0;
    for (const tree of this.#trees) total += pathLength(tree, x, 0);
    const mean = total / this.#trees.length;
    return 2 ** (-mean / averagePathLength(this.#samplesPerTree));
  }

  /** scikit-learn's `score_samples`: the negated anomaly score (lower is more abnormal). */
  scoreSamples(points: readonly ArrayLike<number>[]): number[] {
    return points.map((x) => -this.anomalyScore(x));
  }
}

function grow(
  points: ArrayLike<number>[],
  depth: number,
  depthLimit: number,
  rng: SeededRandom,
): Node {
  if (points.length <= 1 || depth >= depthLimit) return { kind: "leaf", size: points.length };
  const dim = points[0]!.length;
  // Draw features until one varies in this node, as scikit-learn's random splitter does.
  const candidates = Array.from({ length: dim }, (_, i) => i);
  while (candidates.length > 0) {
    const pick = rng.int(candidates.length);
    const feature = candidates[pick]!;
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const p of points) {
      const v = p[feature]!;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    if (max > min) {
      let threshold = rng.uniform(min, max);
      if (threshold === max) threshold = min;
      const left = points.filter((p) => p[feature]! <= threshold);
      const right = points.filter((p) => p[feature]! > threshold);
      return {
        kind: "split",
        feature,
        threshold,
        left: grow(left, depth + 1, depthLimit, rng),
        right: grow(right, depth + 1, depthLimit, rng),
      };
    }
    candidates.splice(pick, 1);
  }
  return { kind: "leaf", size: points.length };
}

function pathLength(node: Node, x: ArrayLike<number>, depth: number): number {
  let current = node;
  let d = depth;
  while (current.kind === "split") {
    current = x[current.feature]! <= current.threshold ? current.left : current.right;
    d++;
  }
  return d + averagePathLength(current.size);
}

/** NumPy's default percentile (linear interpolation between closest ranks). */
export function percentile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const position = (q / 100) * (sorted.length - 1);
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const fraction = position - lower;
  return sorted[lower]! + (sorted[upper]! - sorted[lower]!) * fraction;
}

/**
 * `fit_predict` with a fixed contamination: points whose score_samples fall strictly below the
 * contamination percentile of the training scores are outliers.
 */
export function isolationForestOutliers(
  points: readonly ArrayLike<number>[],
  options: { contamination: number; trees?: number; seed: number },
): { outlier: boolean[]; scores: number[]; threshold: number } {
  const forest = new IsolationForest(points, { trees: options.trees ?? 100, seed: options.seed });
  const scores = forest.scoreSamples(points);
  const threshold = percentile(scores, 100 * options.contamination);
  return { outlier: scores.map((s) => s < threshold), scores, threshold };
}
