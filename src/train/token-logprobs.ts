import { type Arr, zerosLike } from "./array.ts";

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
    let sum = 0;
    for (let v = 0; v < V; v++) sum += Math.exp(logits[o + v]! - max);
    const lz = max + Math.log(sum);
    target[t] = logits[o + y]! - lz;
    meanAll[t] = mean / V - lz;
    if (keepProbs) for (let v = 0; v < V; v++) logits[o + v] = Math.exp(logits[o + v]! - lz);
  }
  return { target, meanAll };
}

/**
 * dL/dlogits from the softmax rows `probs` (see `keepProbs`), dL/d(log p(target_t)) =
 * `gTarget[t]` and dL/d(mean_v log p(v)) = `gMean[t]`:
 * d log p(y)/dz = onehot(y) − softmax(z), d mean log p/dz = 1/V − softmax(z).
 */
export function tokenLogProbsBackward(
  probs: Arr,
  V: number,
  targets: readonly number[],
  gTarget: ArrayLike<number>,
  gMean?: ArrayLike<number>,
): Arr {
  const T = targets.length;
  const d = zerosLike(probs, probs.length);
  for (let t = 0; t < T; t++) {
    const y = targets[t]!;
    const gt = gTarget[t] ?? 0;
    const gm = gMean?.[t] ?? 0;
    if (y < 0 || (gt === 0 && gm === 0)) continue;
    const o = t * V;
    const total = gt + gm;
    const base = gm / V;
    for (let v = 0; v < V; v++) d[o + v] = base - total * probs[o + v]!;
    d[o + y]! += gt;
  }
  return d;
}
