import { ConfigError } from "../../model/errors.ts";

/** vLLM's rules for `minTokens`: a whole number >= 0, and no more than `maxTokens`. */
export function checkMinTokens(minTokens: number, maxTokens: number | undefined): void {
  if (!Number.isInteger(minTokens) || minTokens < 0)
    throw new ConfigError(
      `minTokens must be a non-negative integer, got ${minTokens}`,
      "minTokens",
    );
  if (maxTokens !== undefined && minTokens > maxTokens)
    throw new ConfigError(
      `minTokens (${minTokens}) must not exceed maxTokens (${maxTokens})`,
      "minTokens",
    );
}

/** A copy of `logits` with every end-of-generation token at -inf (sampling before `minTokens`). */
export function withoutEndTokens(logits: Float32Array, endTokens: Iterable<number>): Float32Array {
  const masked = logits.slice();
  for (const token of endTokens) masked[token] = Number.NEGATIVE_INFINITY;
  return masked;
}
