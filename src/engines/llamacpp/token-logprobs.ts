/** log(sum(exp(logits))) computed stably, in float64. */
export function logSumExp(logits: Float32Array): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < logits.length; i++) if (logits[i]! > max) max = logits[i]!;
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i]! - max);
  return max + Math.log(sum);
}

/**
 * The `k` largest entries of `values` (index and value), highest first. A bounded insertion list:
 * O(n·k) but k is small, and it avoids sorting a 150k vocabulary.
 */
export function topK(values: Float32Array, k: number): { index: number; value: number }[] {
  const n = Math.min(k, values.length);
  if (n <= 0) return [];
  const idx: number[] = [];
  const val: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (idx.length === n && v <= val[n - 1]!) continue;
    let j = idx.length === n ? n - 1 : idx.length;
    while (j > 0 && val[j - 1]! < v) {
      val[j] = val[j - 1]!;
      idx[j] = idx[j - 1]!;
      j--;
    }
    val[j] = v;
    idx[j] = i;
  }
  return idx.map((index, i) => ({ index, value: val[i]! }));
}

/** Index of the largest logit (the first one on ties). */
export function argmax(values: Float32Array): number {
  let best = 0;
  let bestValue = values[0] ?? Number.NEGATIVE_INFINITY;
  for (let i = 1; i < values.length; i++) {
    if (values[i]! > bestValue) {
      bestValue = values[i]!;
      best = i;
    }
  }
  return best;
}

/** Natural-log probability of `token` and of the `k` most likely tokens, from raw logits. */
export function logprobsFromLogits(
  logits: Float32Array,
  token: number,
  k: number,
): { logprob: number; top: { token: number; logprob: number }[] } {
  const lse = logSumExp(logits);
  return {
    logprob: logits[token]! - lse,
    top: topK(logits, k).map(({ index, value }) => ({ token: index, logprob: value - lse })),
  };
}
