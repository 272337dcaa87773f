import type { RunStats } from "./run-stats.ts";

/** Whether a progress line belongs on this stream: a terminal, and not under CI. */
export function progressWanted(stream: { isTTY?: boolean } = process.stderr): boolean {
  return stream.isTTY === true && !process.env.CI;
}

/**
 * One self-overwriting status line on stderr (items done/total, tokens, cache hits, retries).
 * Silent unless the stream is a terminal and CI is unset, so logs and pipes stay clean.
 */
export class ProgressLine {
  readonly enabled: boolean;
  readonly #stats: RunStats;
  readonly #stream: NodeJS.WritableStream;
  readonly #label: string;
  #lastDraw = 0;
  #drawn = false;

  constructor(
    stats: RunStats,
    options: { stream?: NodeJS.WriteStream; enabled?: boolean; label?: string } = {},
  ) {
    this.#stats = stats;
    this.#stream = options.stream ?? process.stderr;
    this.enabled = options.enabled ?? progressWanted(options.stream ?? process.stderr);
    this.#label = options.label ?? "";
  }

  /** The status text, e.g. `12/30 items · 3.4k tokens · 5 cache hits · 1 retry`. */
  text(): string {
    const s = this.#stats;
    const parts = [
      `${s.itemsDone + s.itemsSkipped}/${s.itemsTotal} items`,
      `${compact(s.tokens)} tokens`,
      `${s.cacheHits} cache hit${s.cacheHits === 1 ? "" : "s"}`,
      `${s.retries} retr${s.retries === 1 ? "y" : "ies"}`,
    ];
    if (s.itemsFailed > 0) parts.push(`${s.itemsFailed} failed`);
    return `${this.#label ? `${this.#label} ` : ""}${parts.join(" · ")}`;
  }

  /** Redraws at most ten times a second. */
  update(): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.#lastDraw < 100) return;
    this.#lastDraw = now;
    this.#draw();
  }

  /** Draws the final state and ends the line. */
  finish(): void {
    if (!this.enabled) return;
    this.#draw();
    this.#stream.write("\n");
    this.#drawn = false;
  }

  #draw(): void {
    this.#stream.write(`\r\x1b[2K${this.text()}`);
    this.#drawn = true;
  }

  /** True while a line is on screen without its newline (callers printing logs may end it). */
  get open(): boolean {
    return this.#drawn;
  }
}

function compact(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(1)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}
