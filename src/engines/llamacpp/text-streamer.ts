/**
 * Turns the growing detokenized text of one sample into deltas that are safe to show: every delta
 * stays in the final text. Held back until later tokens resolve them:
 * - a tail that may still become a stop string (the final text is cut before a stop string);
 * - trailing U+FFFD (the first bytes of a character split across tokens) and a lone high surrogate;
 * - trailing whitespace and apostrophes: llama.cpp's detokenizer (`clean_spaces`) may rewrite
 *   " ." to "." and " 's" to "'s" once the next token arrives, and JSON grammars trim trailing
 *   whitespace from the final text.
 * The last delta comes from `finish(finalText)`, so the deltas concatenate to the final text.
 */
export class TextStreamer {
  private emitted = "";
  private broken = false;

  constructor(
    private readonly stops: readonly string[],
    private readonly emit: (delta: string) => void,
  ) {}

  /** The whole text so far (not yet containing a stop string). */
  update(full: string): void {
    if (this.broken) return;
    if (!full.startsWith(this.emitted)) {
      // Detokenization rewrote text already shown; say nothing more until the final text.
      this.broken = true;
      return;
    }
    const end = this.safeEnd(full);
    if (end > this.emitted.length) {
      const delta = full.slice(this.emitted.length, end);
      this.emitted += delta;
      this.emit(delta);
    }
  }

  /** Sends what is left of the final text. */
  finish(finalText: string): void {
    if (!finalText.startsWith(this.emitted)) return;
    const rest = finalText.slice(this.emitted.length);
    this.emitted = finalText;
    if (rest !== "") this.emit(rest);
  }

  private safeEnd(full: string): number {
    let end = full.length;
    for (let previous = -1; end !== previous; ) {
      previous = end;
      while (end > this.emitted.length && held(full, end - 1)) end--;
      for (const stop of this.stops) {
        if (stop === "") continue;
        // the earliest start of a partial stop string at the end of full[0, end)
        for (let from = Math.max(this.emitted.length, end - stop.length + 1); from < end; from++) {
          if (stop.startsWith(full.slice(from, end))) {
            end = from;
            break;
          }
        }
      }
    }
    return end;
  }
}

/** Whether the character at `i` may still change or vanish as later tokens arrive. */
function held(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return c === 0xfffd || (c >= 0xd800 && c <= 0xdbff) || c === 0x27 /* ' */ || /\s/.test(text[i]!);
}
