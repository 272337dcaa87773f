/**
 * A trained MAT-Steer module: per attribute t a steering vector θ_t and a gate
 * G_t(h) = sigmoid(w_t·h + b_t). Applied to one activation h:
 * ĥ = h + m·Σ_t G_t(h)·θ_t, then (norm preservation) h' = ĥ·‖h‖/(‖ĥ‖ + 1e-8).
 */
export interface Steerer {
  attributes: string[];
  /** θ_t, one per attribute, each of length d. */
  theta: Float64Array[];
  /** w_t, one per attribute. */
  gateW: Float64Array[];
  /** b_t, one per attribute. */
  gateB: number[];
  /** Global multiplier m (default 1). */
  multiplier: number;
  /** Rescale the steered vector to the input's norm (on in the paper's code). */
  normPreserve: boolean;
}

/** Added to the norm in the denominator, as in the reference implementation. */
export const normEpsilon = 1e-8;

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

export function norm(a: ArrayLike<number>): number {
  return Math.sqrt(dot(a, a));
}

/** Gate values G_t(h) for every attribute. */
export function gates(steerer: Steerer, h: ArrayLike<number>): number[] {
  return steerer.gateW.map((w, t) => sigmoid(dot(w, h) + steerer.gateB[t]!));
}

/** Everything the forward pass computes for one vector (the backward pass reuses it). */
export interface SteerTrace {
  gates: number[];
  /** ĥ before normalisation. */
  steered: Float64Array;
  /** h' (= ĥ when norm preservation is off). */
  output: Float64Array;
  inputNorm: number;
  steeredNorm: number;
}

export function steerTrace(steerer: Steerer, h: ArrayLike<number>): SteerTrace {
  const g = gates(steerer, h);
  const d = h.length;
  const steered = new Float64Array(d);
  for (let i = 0; i < d; i++) steered[i] = h[i]!;
  for (let t = 0; t < g.length; t++) {
    const scale = steerer.multiplier * g[t]!;
    const theta = steerer.theta[t]!;
    for (let i = 0; i < d; i++) steered[i]! += scale * theta[i]!;
  }
  const inputNorm = norm(h);
  const steeredNorm = norm(steered);
  let output = steered;
  if (steerer.normPreserve) {
    const ratio = inputNorm / (steeredNorm + normEpsilon);
    output = steered.map((x) => x * ratio);
  }
  return { gates: g, steered, output, inputNorm, steeredNorm };
}

/** h' for one activation. */
export function steer(steerer: Steerer, h: ArrayLike<number>): Float64Array {
  return steerTrace(steerer, h).output;
}

/** Steer a float32 row in place (the engine's residual-stream hook hands us rows like this). */
export function steerInPlace(steerer: Steerer, row: Float32Array): void {
  const out = steer(steerer, row);
  for (let i = 0; i < row.length; i++) row[i] = out[i]!;
}
