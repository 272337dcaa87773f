import { type Arr, zerosLike } from "./array.ts";

/** Σ_v exp(z_v − max) over one row; with `write`, each z_v is replaced by exp(z_v − max). */
function sumExp(z: Arr, o: number, V: number, max: number, write: boolean): number {
  let sum = 0;
  if (write) {
    for (let v = 0; v < V; v++) {
      const e = Math.exp(z[o + v]! - max);
      z[o + v] = e;
      sum += e;
    }
  } else for (let v = 0; v < V; v++) sum += Math.exp(z[o + v]! - max);
  return sum;
}

/**
 * Log-probabilities of `targets[t]` under `logits[t]` (rows of a [T, V] matrix), plus the mean
 * log-probability over the whole vocabulary (label smoothing's term). Positions whose target
 * is negative are skipped (their entries are 0). With `keepProbs`, each scored row of `logits`
 * is overwritten by its softmax, which is what the backward needs: one exp pass instead of two
 * over a [T, V] matrix that, at 50k–150k vocabularies, is the largest elementwise work.
 */
export function tokenLogProbs(
  logits: Arr,
  V: number,
  targets: readonly number[],
  keepProbs = false,
): { target: Float64Array; meanAll: Float64Array } {
  const T = targets.length;
  const target = new Float64Array(T);
  const meanAll = new Float64Array(T);
  for (let t = 0; t < T; t++) {
    const y = targets[t]!;
    if (y < 0) continue;
    const o = t * V;
    let max = -Infinity;
    let mean = 0;
    for (let v = 0; v < V; v++) {
      const z = logits[o + v]!;
      if (z > max) max = z;
      mean += z;
    }
    const zy = logits[o + y]!;
    const lz = max + Math.log(sumExp(logits, o, V, max, keepProbs));
    target[t] = zy - lz;
    meanAll[t] = mean / V - lz;
    if (keepProbs) {
      // The row already holds exp(z − max); scaling by exp(max − lz) = 1/Σ makes it the softmax.
      const inv = Math.exp(max - lz);
      for (let v = 0; v < V; v++) logits[o + v]! *= inv;
    }
  }
  return { target, meanAll };
}

/**
 * dL/dlogits from the softmax rows `probs` (see `keepProbs`), dL/d(log p(target_t)) =
 * `gTarget[t]` and dL/d(mean_v log p(v)) = `gMean[t]`:
 * d log p(y)/dz = onehot(y) − softmax(z), d mean log p/dz = 1/V − softmax(z). Written into
 * `out` (which may be `probs` itself: the [T, V] buffer is the largest of small models).
 */
export function tokenLogProbsBackward(
  probs: Arr,
  V: number,
  targets: readonly number[],
  gTarget: ArrayLike<number>,
  gMean?: ArrayLike<number>,
  out?: Arr,
): Arr {
  const T = targets.length;
  const d = out ?? zerosLike(probs, probs.length);
  for (let t = 0; t < T; t++) {
    const y = targets[t]!;
    const gt = gTarget[t] ?? 0;
    const gm = gMean?.[t] ?? 0;
    const o = t * V;
    if (y < 0 || (gt === 0 && gm === 0)) {
      d.fill(0, o, o + V);
      continue;
    }
    const total = gt + gm;
    const base = gm / V;
    for (let v = 0; v < V; v++) d[o + v] = base - total * probs[o + v]!;
    d[o + y]! += gt;
  }
  return d;
}
