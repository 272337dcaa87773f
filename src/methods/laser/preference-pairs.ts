/** One sampled response and the chosen reward model's score of it. */
export interface ScoredResponse {
  text: string;
  score: number;
}

/** A preference pair within one prompt's samples (indices into that prompt's responses). */
export interface ResponsePair {
  chosen: number;
  rejected: number;
}

/**
 * Preference pairs from ONE prompt's scored samples, as the official PreferencePairGenerator
 * means them: the top-scored response (first one on ties) is the chosen side of every pair, the
 * rejected sides are the others in descending score order, at most `maxPairs` of them. Responses
 * that tie with the top are skipped (no preference). Pairs never cross prompts: the official code
 * ranks a whole batch together, mixing questions, which the spec lists as a bug.
 */
export function promptPairs(
  responses: readonly ScoredResponse[],
  maxPairs: number,
): ResponsePair[] {
  if (responses.length < 2 || maxPairs < 1) return [];
  for (const r of responses)
    if (!Number.isFinite(r.score))
      throw new Error(`reward-model score must be finite, got ${r.score}`);
  const order = responses
    .map((_, i) => i)
    .sort((a, b) => responses[b]!.score - responses[a]!.score || a - b);
  const top = order[0]!;
  const pairs: ResponsePair[] = [];
  for (const j of order.slice(1)) {
    if (pairs.length >= maxPairs) break;
    if (responses[j]!.score < responses[top]!.score && responses[j]!.text !== responses[top]!.text)
      pairs.push({ chosen: top, rejected: j });
  }
  return pairs;
}
