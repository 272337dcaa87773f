import type { TopLogprob } from "../model/language-model.ts";

/**
 * P(good) / (P(good) + P(bad)) from one position's alternatives, summing every alternative whose
 * trimmed, lower-cased text is one of the given spellings ("Yes", " yes", "YES" are one answer).
 * Undefined when neither appears (the caller decides: fall back or give 0.5).
 */
export function twoWayProbability(
  top: readonly TopLogprob[],
  good: readonly string[],
  bad: readonly string[],
): number | undefined {
  const goodSet = new Set(good.map((s) => s.trim().toLowerCase()));
  const badSet = new Set(bad.map((s) => s.trim().toLowerCase()));
  let pGood = 0;
  let pBad = 0;
  const seen = new Set<string>();
  for (const alt of top) {
    if (seen.has(alt.token)) continue;
    seen.add(alt.token);
    const key = alt.token.replace(/^▁/, "").trim().toLowerCase();
    if (goodSet.has(key)) pGood += Math.exp(alt.logprob);
    else if (badSet.has(key)) pBad += Math.exp(alt.logprob);
  }
  const total = pGood + pBad;
  return total > 0 ? pGood / total : undefined;
}

/** Softmax over two log-probabilities: P(first) of the pair. */
export function pairProbability(goodLogprob: number, badLogprob: number): number {
  const m = Math.max(goodLogprob, badLogprob);
  if (m === Number.NEGATIVE_INFINITY) return 0.5;
  const a = Math.exp(goodLogprob - m);
  const b = Math.exp(badLogprob - m);
  return a / (a + b);
}
