/**
 * Log-sum-exp of a logit vector: the log of the softmax normaliser, computed stably.
 * @example logSumExp(Float32Array.of(0, 0)) // ln 2
 */
export function logSumExp(logits: ArrayLike<number>): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < logits.length; i++) {
    const z = logits[i]!;
    if (z > max) max = z;
  }
  if (max === Number.NEGATIVE_INFINITY) return max;
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i]! - max);
  return max + Math.log(sum);
}

/** 2^k for k in [-1100, 0]: the integer part of `expNonPositive`. */
const pow2 = Float64Array.from({ length: 1101 }, (_, i) => 2 ** (i - 1100));

/**
 * e^x for x ≤ 0 (log-probabilities) with relative error below 1e-7 down to the subnormal range
 * (≈ −708), where it flushes to 0: 2^k from a table times a
 * degree-8 Taylor polynomial of e^t on t ∈ [0, ln 2). Cheaper than Math.exp in V8, which matters
 * when the JSD takes two per vocabulary entry per generated token.
 */
export function expNonPositive(x: number): number {
  if (x < -745) return 0;
  const y = x * Math.LOG2E;
  const k = Math.floor(y);
  const t = (y - k) * Math.LN2;
  const poly =
    1 +
    t *
      (1 +
        t *
          (1 / 2 +
            t *
              (1 / 6 + t * (1 / 24 + t * (1 / 120 + t * (1 / 720 + t * (1 / 5040 + t / 40320)))))));
  return poly * pow2[k + 1100]!;
}

/**
 * Jensen-Shannon divergence, natural log, between softmax(a) and softmax(b) computed on the
 * full, unfiltered, temperature-1 logits: AdaCAD's conflict weight α ∈ [0, ln 2].
 *
 * Entries where a probability underflows to 0 contribute 0 (0·log 0 = 0) instead of the
 * reference's 1e-9 clamp; the spec bounds that difference at ~1e-3 over a 128k vocabulary.
 */
export function jensenShannon(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) {
    throw new RangeError(`logit vectors differ in length (${a.length} vs ${b.length})`);
  }
  const lseA = logSumExp(a);
  const lseB = logSumExp(b);
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const la = a[i]! - lseA;
    const lb = b[i]! - lseB;
    // Both below e^-40: this entry's share is < 1e-16; skipping it saves two exp and a log on most
    // of a peaked LM vocabulary.
    // Equal entries contribute exactly 0; skipping them keeps identical streams at α = 0 exactly
    // (the fast exp below would otherwise leave a ~1e-7 residue).
    if ((la < -40 && lb < -40) || la === lb) continue;
    const p = expNonPositive(la);
    const q = expNonPositive(lb);
    const m = p + q;
    if (m === 0) continue;
    // log m_i = log((p+q)/2); both KL terms share it.
    const logM = Math.log(m) - Math.LN2;
    if (p > 0) sum += p * (la - logM);
    if (q > 0) sum += q * (lb - logM);
  }
  // Rounding can push a zero divergence a hair below 0 or ln 2 a hair above.
  return Math.min(Math.max(sum / 2, 0), Math.LN2);
}

/**
 * Jensen-Shannon divergence (natural log) between two discrete distributions given as
 * probabilities over the same outcomes (used by the top-k approximation's coarse buckets).
 */
export function jensenShannonProbabilities(p: ArrayLike<number>, q: ArrayLike<number>): number {
  if (p.length !== q.length) {
    throw new RangeError(`distributions differ in length (${p.length} vs ${q.length})`);
  }
  let sum = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i]!;
    const qi = q[i]!;
    const m = (pi + qi) / 2;
    if (m <= 0) continue;
    if (pi > 0) sum += pi * Math.log(pi / m);
    if (qi > 0) sum += qi * Math.log(qi / m);
  }
  return Math.min(Math.max(sum / 2, 0), Math.LN2);
}
