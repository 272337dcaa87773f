/**
 * Finds the first stop string in generated text. Text is checked as a whole each time (cheap for
 * the lengths we generate) so stop strings split across tokens are found too.
 */
export class StopDetector {
  constructor(private readonly stops: readonly string[]) {}

  get active(): boolean {
    return this.stops.length > 0;
  }

  /** Index where the earliest stop string starts in `text`, or -1. */
  find(text: string): number {
    let best = -1;
    for (const stop of this.stops) {
      if (stop === "") continue;
      const at = text.indexOf(stop);
      if (at >= 0 && (best < 0 || at < best)) best = at;
    }
    return best;
  }
}
