import type { Readable } from "node:stream";

/** Collects a stream's bytes up to `limit`; counts (and drops) the rest. */
export class CappedOutput {
  readonly #chunks: Buffer[] = [];
  #kept = 0;
  /** Every byte seen, kept or not. */
  total = 0;

  constructor(
    stream: Readable,
    readonly limit: number,
    onData: (bytes: number) => void,
  ) {
    stream.on("data", (chunk: Buffer) => {
      this.total += chunk.length;
      const room = this.limit - this.#kept;
      if (room > 0) {
        const part = chunk.length <= room ? chunk : chunk.subarray(0, room);
        this.#chunks.push(part);
        this.#kept += part.length;
      }
      onData(chunk.length);
    });
  }

  get truncated(): boolean {
    return this.total > this.#kept;
  }

  /** The kept bytes as UTF-8 (a character cut at the limit becomes U+FFFD). */
  text(): string {
    return Buffer.concat(this.#chunks).toString("utf8");
  }
}
