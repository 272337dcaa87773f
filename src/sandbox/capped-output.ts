/** Collects an output stream's bytes up to `limit`; counts (and drops) the rest. */
export class CappedOutput {
  readonly #chunks: Buffer[] = [];
  #kept = 0;
  /** Every byte seen, kept or not. */
  total = 0;

  constructor(readonly limit: number) {}

  add(chunk: Buffer): void {
    this.total += chunk.length;
    const room = this.limit - this.#kept;
    if (room > 0) {
      const part = chunk.length <= room ? chunk : chunk.subarray(0, room);
      this.#chunks.push(part);
      this.#kept += part.length;
    }
  }

  get truncated(): boolean {
    return this.total > this.#kept;
  }

  /** The kept bytes as UTF-8 (a character cut at the limit becomes U+FFFD). */
  text(): string {
    return Buffer.concat(this.#chunks).toString("utf8");
  }
}
