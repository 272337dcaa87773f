/**
 * Finds the first stop string in generated text. Text is checked as a whole each time (cheap for
 * the lengths we generate) so stop strings split across tokens are found too.
 *
 * With `minTokens` (vLLM's `min_tokens`) a stop string only counts when it ends after the text of
 * the first `minTokens` tokens, even if it starts inside it (vLLM's detokenizer rule).
 */
export class StopDetector {
  /** Text length of the first `minTokens` tokens; -1 until that many tokens exist. */
  #boundary: number;

  constructor(
    private readonly stops: readonly string[],
    private readonly minTokens = 0,
  ) {
    this.#boundary = minTokens > 0 ? -1 : 0;
  }

  get active(): boolean {
    return this.stops.length > 0;
  }

  /**
   * Index where the earliest stop string that counts starts in `text`, or -1. `tokenCount` is the
   * number of generated tokens `text` was detokenized from; pass it on every call when
   * `minTokens` is set (the boundary is the text length when the count first reaches it).
   */
  find(text: string, tokenCount = Number.POSITIVE_INFINITY): number {
    if (this.#boundary < 0) {
      if (tokenCount < this.minTokens) return -1;
      this.#boundary = text.length;
    }
    let best = -1;
    for (const stop of this.stops) {
      if (stop === "") continue;
      const at = text.indexOf(stop, Math.max(0, this.#boundary - stop.length + 1));
      if (at >= 0 && (best < 0 || at < best)) best = at;
    }
    return best;
  }
}
