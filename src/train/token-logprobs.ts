import { type Arr, zerosLike } from "./array.ts";

/**
 * Log-probabilities of `targets[t]` under `logits[t]` (rows of a [T, V] matrix), plus the mean
 * log-probability over the whole vocabulary (label smoothing's term). Positions whose target
 * is negative are skipped (their entries are 0).
 */
export function tokenLogProbs(
  logits: Arr,
  V: number,
  targets: readonly number[],
): { target: Float64Array; meanAll: Float64Array; logZ: Float64Array } {
  const T = targets.length;
  const target = new Float64Array(T);
  const meanAll = new Float64Array(T);
  const logZ = new Float64Array(T);
  for (let t = 0; t < T; t++) {
    const y = targets[t]!;
    if (y < 0) continue;
    const o = t * V;
    let max = -Infinity;
    let sum = 0;
    for (let v = 0; v < V; v++) if (logits[o + v]! > max) max = logits[o + v]!;
    for (let v = 0; v < V; v++) {
      sum += Math.exp(logits[o + v]! - max);
    }
    let mean = 0;
    for (let v = 0; v < V; v++) mean += logits[o + v]!;
    const lz = max + Math.log(sum);
    logZ[t] = lz;
    target[t] = logits[o + y]! - lz;
    meanAll[t] = mean / V - lz;
  }
  return { target, meanAll, logZ };
}

/**
 * dL/dlogits given dL/d(log p(target_t)) = `gTarget[t]` and dL/d(mean_v log p(v)) = `gMean[t]`:
 * d log p(y)/dz = onehot(y) − softmax(z), d mean log p/dz = 1/V − softmax(z).
 */
export function tokenLogProbsBackward(
  logits: Arr,
  V: number,
  targets: readonly number[],
  logZ: Float64Array,
  gTarget: ArrayLike<number>,
  gMean?: ArrayLike<number>,
): Arr {
  const T = targets.length;
  const d = zerosLike(logits, logits.length);
  for (let t = 0; t < T; t++) {
    const y = targets[t]!;
    const gt = gTarget[t] ?? 0;
    const gm = gMean?.[t] ?? 0;
    if (y < 0 || (gt === 0 && gm === 0)) continue;
    const o = t * V;
    const lz = logZ[t]!;
    const total = gt + gm;
    for (let v = 0; v < V; v++) d[o + v] = gm / V - total * Math.exp(logits[o + v]! - lz);
    d[o + y]! += gt;
  }
  return d;
}
