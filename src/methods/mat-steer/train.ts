import { SeededRandom } from "../../math/seeded-random.ts";
import { mmd2WithGradient } from "./mmd.ts";
import { orthogonalityLoss } from "./orthogonality.ts";
import { dot, type Steerer, type SteerTrace, steerTrace } from "./steerer.ts";

/** Activations of one attribute: desirable (positive) and undesirable (negative) examples. */
export interface AttributeActivations {
  positive: readonly ArrayLike<number>[];
  negative: readonly ArrayLike<number>[];
}

/** Defaults are the official code's (spec §4). */
export interface MatSteerTrainOptions {
  epochs: number;
  learningRate: number;
  /** Total batch over all attributes and both classes (96 ⇒ 16 per class per attribute at T = 3). */
  batchSize: number;
  /**
   * MMD kernel bandwidth. 2.0 is the official code's, in raw activation space; "median" (a
   * deviation the spec suggests in §9.2) uses the median pairwise distance of all training
   * activations, for models whose activations are far apart on the scale of σ = 2.
   */
  sigma: number | "median";
  lambdaMmd: number;
  lambdaSparse: number;
  lambdaOrtho: number;
  lambdaPos: number;
  multiplier: number;
  normPreserve: boolean;
  /**
   * Standard deviation of θ's initial coordinates: 1 in the official code. A smaller value (a
   * deviation, see docs/mat-steer.md) keeps the random initial θ from swamping h at init.
   */
  thetaInitStd: number;
  seed: number;
  /** Called after every epoch with the mean losses of that epoch. */
  onEpoch?: (epoch: number, losses: MatSteerLosses) => void;
}

export const matSteerDefaults: MatSteerTrainOptions = {
  epochs: 100,
  learningRate: 1e-3,
  batchSize: 96,
  sigma: 2.0,
  lambdaMmd: 1.0,
  lambdaSparse: 0.9,
  lambdaOrtho: 0.1,
  lambdaPos: 0.9,
  multiplier: 1.0,
  normPreserve: true,
  thetaInitStd: 1,
  seed: 42,
};

export interface MatSteerLosses {
  total: number;
  mmd: number;
  sparse: number;
  pos: number;
  ortho: number;
}

/** Per-attribute batch b = min(⌊batchSize / 2T⌋, n_min) and steps per epoch ⌈n_min / b⌉. */
export function batchPlan(
  attributeCount: number,
  batchSize: number,
  smallestPool: number,
): { perClass: number; stepsPerEpoch: number } {
  const perClass = Math.min(Math.floor(batchSize / (2 * attributeCount)), smallestPool);
  if (perClass < 1)
    throw new RangeError(
      `batch of ${batchSize} is too small for ${attributeCount} attributes (need at least ${2 * attributeCount})`,
    );
  return { perClass, stepsPerEpoch: Math.ceil(smallestPool / perClass) };
}

/** A fresh steerer: θ ~ N(0, 1), gate weights and biases ~ U(±1/√d) (PyTorch Linear init). */
export function initSteerer(
  attributes: string[],
  dim: number,
  rng: SeededRandom,
  options: { multiplier: number; normPreserve: boolean; thetaInitStd?: number },
): Steerer {
  const std = options.thetaInitStd ?? 1;
  const bound = 1 / Math.sqrt(dim);
  return {
    attributes,
    theta: attributes.map(() => Float64Array.from({ length: dim }, () => std * rng.normal())),
    gateW: attributes.map(() =>
      Float64Array.from({ length: dim }, () => rng.uniform(-bound, bound)),
    ),
    gateB: attributes.map(() => rng.uniform(-bound, bound)),
    multiplier: options.multiplier,
    normPreserve: options.normPreserve,
  };
}

/** One mini-batch: per attribute, the positives, the negatives, and the MMD target sample. */
export interface SteerBatch {
  positive: ArrayLike<number>[][];
  negative: ArrayLike<number>[][];
  target: ArrayLike<number>[][];
}

/** Gradients with the steerer's shapes. */
export interface SteererGradients {
  theta: Float64Array[];
  gateW: Float64Array[];
  gateB: number[];
}

/** The MAT-Steer objective on one batch and its exact gradient (spec §3.3). */
export function matSteerLoss(
  steerer: Steerer,
  batch: SteerBatch,
  options: Pick<
    MatSteerTrainOptions,
    "lambdaMmd" | "lambdaSparse" | "lambdaOrtho" | "lambdaPos"
  > & {
    sigma: number;
  },
): { losses: MatSteerLosses; gradients: SteererGradients } {
  const attributeCount = steerer.theta.length;
  const dim = steerer.theta[0]!.length;
  const grads: SteererGradients = {
    theta: steerer.theta.map(() => new Float64Array(dim)),
    gateW: steerer.gateW.map(() => new Float64Array(dim)),
    gateB: steerer.gateB.map(() => 0),
  };
  const negativeCount = batch.negative.reduce((sum, xs) => sum + xs.length, 0);
  const positiveCount = batch.positive.reduce((sum, xs) => sum + xs.length, 0);

  let mmd = 0;
  let sparse = 0;
  let pos = 0;
  for (let t = 0; t < attributeCount; t++) {
    const negatives = batch.negative[t]!;
    const traces = negatives.map((h) => steerTrace(steerer, h));
    const result = mmd2WithGradient(
      traces.map((tr) => tr.output),
      batch.target[t]!,
      options.sigma,
    );
    mmd += result.value / attributeCount;
    for (let i = 0; i < traces.length; i++) {
      const trace = traces[i]!;
      const outputGrad = result.gradients[i]!.map((g) => (g * options.lambdaMmd) / attributeCount);
      // L1 on every gate of every negative (gates are ≥ 0, so |g| = g)
      const gateGrad = trace.gates.map((g) => {
        sparse += g / (negativeCount * attributeCount);
        return options.lambdaSparse / (negativeCount * attributeCount);
      });
      backward(steerer, negatives[i]!, trace, outputGrad, gateGrad, grads);
    }
    for (const h of batch.positive[t]!) {
      const trace = steerTrace(steerer, h);
      const gateGrad = trace.gates.map((g) => {
        pos += (g * g) / (positiveCount * attributeCount);
        return (options.lambdaPos * 2 * g) / (positiveCount * attributeCount);
      });
      backward(steerer, h, trace, undefined, gateGrad, grads);
    }
  }
  const ortho = orthogonalityLoss(steerer.theta);
  for (let t = 0; t < attributeCount; t++) {
    const g = grads.theta[t]!;
    const o = ortho.gradients[t]!;
    for (let d = 0; d < dim; d++) g[d]! += options.lambdaOrtho * o[d]!;
  }
  const total =
    options.lambdaMmd * mmd +
    options.lambdaSparse * sparse +
    options.lambdaOrtho * ortho.value +
    options.lambdaPos * pos;
  return { losses: { total, mmd, sparse, pos, ortho: ortho.value }, gradients: grads };
}

/** Backpropagate dL/dh' (optional) and direct dL/dG_t through normalisation, steering and gates. */
function backward(
  steerer: Steerer,
  h: ArrayLike<number>,
  trace: SteerTrace,
  outputGrad: Float64Array | undefined,
  gateGrad: number[],
  grads: SteererGradients,
): void {
  const dim = h.length;
  let steeredGrad: Float64Array | undefined;
  if (outputGrad) {
    if (steerer.normPreserve) {
      // h' = ĥ·r/(s+ε), r = ‖h‖ (no parameter), s = ‖ĥ‖
      const r = trace.inputNorm;
      const s = trace.steeredNorm;
      const scale = r / (s + 1e-8);
      const radial = (r * dot(trace.steered, outputGrad)) / ((s + 1e-8) ** 2 * s);
      steeredGrad = outputGrad.map((g, i) => scale * g - radial * trace.steered[i]!);
    } else steeredGrad = outputGrad;
  }
  for (let t = 0; t < trace.gates.length; t++) {
    const g = trace.gates[t]!;
    let dGate = gateGrad[t]!;
    if (steeredGrad) {
      const theta = steerer.theta[t]!;
      const thetaGrad = grads.theta[t]!;
      const scale = steerer.multiplier * g;
      for (let d = 0; d < dim; d++) thetaGrad[d]! += scale * steeredGrad[d]!;
      dGate += steerer.multiplier * dot(theta, steeredGrad);
    }
    const dz = dGate * g * (1 - g);
    const wGrad = grads.gateW[t]!;
    for (let d = 0; d < dim; d++) wGrad[d]! += dz * h[d]!;
    grads.gateB[t]! += dz;
  }
}

/** Adam (no weight decay), as the official code uses. */
class Adam {
  #step = 0;
  readonly #m: Float64Array[];
  readonly #v: Float64Array[];
  constructor(
    readonly params: Float64Array[],
    readonly lr: number,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    readonly eps = 1e-8,
  ) {
    this.#m = params.map((p) => new Float64Array(p.length));
    this.#v = params.map((p) => new Float64Array(p.length));
  }
  update(gradients: Float64Array[]): void {
    this.#step++;
    const c1 = 1 - this.beta1 ** this.#step;
    const c2 = 1 - this.beta2 ** this.#step;
    for (let k = 0; k < this.params.length; k++) {
      const p = this.params[k]!;
      const g = gradients[k]!;
      const m = this.#m[k]!;
      const v = this.#v[k]!;
      for (let i = 0; i < p.length; i++) {
        m[i] = this.beta1 * m[i]! + (1 - this.beta1) * g[i]!;
        v[i] = this.beta2 * v[i]! + (1 - this.beta2) * g[i]! * g[i]!;
        p[i]! -= (this.lr * (m[i]! / c1)) / (Math.sqrt(v[i]! / c2) + this.eps);
      }
    }
  }
}

/**
 * Train MAT-Steer gates and vectors (spec §3.4): every step draws, per attribute, b positives and b
 * negatives without replacement, plus a fresh sample of b original positives as the MMD target.
 */
export function trainMatSteer(
  activations: Record<string, AttributeActivations>,
  options: Partial<MatSteerTrainOptions> = {},
): { steerer: Steerer; history: MatSteerLosses[]; sigma: number } {
  const merged = { ...matSteerDefaults, ...options };
  const attributes = Object.keys(activations);
  if (attributes.length === 0) throw new RangeError("MAT-Steer needs at least one attribute");
  const pools = attributes.map((a) => activations[a]!);
  for (const [i, pool] of pools.entries()) {
    if (pool.positive.length === 0 || pool.negative.length === 0)
      throw new RangeError(
        `attribute "${attributes[i]}" needs positive and negative examples (has ${pool.positive.length} and ${pool.negative.length})`,
      );
  }
  const dim = pools[0]!.positive[0]!.length;
  const sigma =
    merged.sigma === "median"
      ? medianPairwiseDistance(pools.flatMap((p) => [...p.positive, ...p.negative]))
      : merged.sigma;
  const opts = { ...merged, sigma };
  const smallestPool = Math.min(...pools.flatMap((p) => [p.positive.length, p.negative.length]));
  const { perClass, stepsPerEpoch } = batchPlan(attributes.length, opts.batchSize, smallestPool);
  const rng = new SeededRandom(opts.seed);
  const steerer = initSteerer(attributes, dim, rng, opts);
  const gateB = Float64Array.from(steerer.gateB);
  const adam = new Adam([...steerer.theta, ...steerer.gateW, gateB], opts.learningRate);
  const history: MatSteerLosses[] = [];
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    const sum: MatSteerLosses = { total: 0, mmd: 0, sparse: 0, pos: 0, ortho: 0 };
    for (let step = 0; step < stepsPerEpoch; step++) {
      const pick = (xs: readonly ArrayLike<number>[]) =>
        rng.sampleIndices(xs.length, perClass).map((i) => xs[i]!);
      const batch: SteerBatch = {
        positive: pools.map((p) => pick(p.positive)),
        negative: pools.map((p) => pick(p.negative)),
        target: pools.map((p) => pick(p.positive)),
      };
      steerer.gateB = Array.from(gateB);
      const { losses, gradients } = matSteerLoss(steerer, batch, opts);
      adam.update([...gradients.theta, ...gradients.gateW, Float64Array.from(gradients.gateB)]);
      for (const key of Object.keys(sum) as (keyof MatSteerLosses)[])
        sum[key] += losses[key] / stepsPerEpoch;
    }
    steerer.gateB = Array.from(gateB);
    history.push(sum);
    opts.onEpoch?.(epoch, sum);
  }
  return { steerer, history, sigma };
}

/** Median Euclidean distance over all distinct pairs (at most the first 500 points, for speed). */
export function medianPairwiseDistance(points: readonly ArrayLike<number>[]): number {
  const xs = points.slice(0, 500);
  const distances: number[] = [];
  for (let i = 0; i < xs.length; i++)
    for (let j = i + 1; j < xs.length; j++) {
      let sum = 0;
      const a = xs[i]!;
      const b = xs[j]!;
      for (let k = 0; k < a.length; k++) sum += (a[k]! - b[k]!) ** 2;
      distances.push(Math.sqrt(sum));
    }
  if (distances.length === 0)
    throw new RangeError("the median heuristic needs at least two activations");
  distances.sort((p, q) => p - q);
  const mid = distances.length >> 1;
  const median =
    distances.length % 2 ? distances[mid]! : (distances[mid - 1]! + distances[mid]!) / 2;
  return median > 0 ? median : 1;
}
