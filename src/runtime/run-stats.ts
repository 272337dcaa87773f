/** Live counters of a run, shown by the progress line and returned in the run report. */
export class RunStats {
  itemsTotal = 0;
  itemsDone = 0;
  itemsSkipped = 0;
  itemsFailed = 0;
  calls = 0;
  cacheHits = 0;
  inputTokens = 0;
  outputTokens = 0;
  retries = 0;
  callErrors = 0;

  get tokens(): number {
    return this.inputTokens + this.outputTokens;
  }

  /** A plain object for JSON output. */
  toJSON(): Record<string, number> {
    return {
      itemsTotal: this.itemsTotal,
      itemsDone: this.itemsDone,
      itemsSkipped: this.itemsSkipped,
      itemsFailed: this.itemsFailed,
      calls: this.calls,
      cacheHits: this.cacheHits,
      inputTokens: this.inputTokens,
      outputTokens: this.outputTokens,
      retries: this.retries,
      callErrors: this.callErrors,
    };
  }
}
