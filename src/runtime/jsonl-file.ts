import {
  closeSync,
  existsSync,
  fdatasync,
  fdatasyncSync,
  fstatSync,
  openSync,
  readFileSync,
  readSync,
  truncateSync,
  writeSync,
} from "node:fs";
import { DataError } from "../model/errors.ts";

const newline = 0x0a;

/**
 * Reads a JSONL file written by `JsonlAppender`. A process killed mid-write can leave a last line
 * without its newline; that line is incomplete by definition and is ignored (and cut off the file
 * when `repair` is set, so the next append starts on a clean line). A missing file reads as empty.
 * @throws DataError naming file and line when a complete line is not JSON.
 */
export function readJsonl<T = unknown>(path: string, options: { repair?: boolean } = {}): T[] {
  if (!existsSync(path)) return [];
  const bytes = readFileSync(path);
  const end = bytes.lastIndexOf(newline) + 1;
  if (end < bytes.length && options.repair) truncateSync(path, end);
  const text = bytes.subarray(0, end).toString("utf8");
  const values: T[] = [];
  let lineNumber = 0;
  for (const line of text.split("\n")) {
    lineNumber++;
    if (line.trim() === "") continue;
    try {
      values.push(JSON.parse(line) as T);
    } catch (error) {
      throw new DataError(`not a JSON line (${(error as Error).message}); fix or delete it`, {
        file: path,
        line: lineNumber,
      });
    }
  }
  return values;
}

/** When `appendSynced` lines share one fdatasync. */
export interface GroupSyncOptions {
  /** Sync as soon as this many lines wait (default 256). */
  maxLines?: number;
  /** Sync at most this long after the first waiting line (default 10 ms). */
  maxDelayMs?: number;
}

/**
 * Appends one JSON value per line. Each line goes out in a single write of the complete line, so
 * a kill leaves at worst one torn last line, which `readJsonl` drops. `durable` adds an fdatasync
 * after each line, so a finished line also survives a power cut, not just a killed process.
 * `appendSynced` gives the same guarantee at scale: lines appended close together share one
 * fdatasync, run off the event loop (one sync per line costs ~0.5 ms of blocked loop each, about
 * 50 s per 100k lines on a local disk, more on network disks).
 */
export class JsonlAppender {
  readonly path: string;
  /** fdatasync calls made so far (both kinds of append). */
  syncs = 0;
  readonly #durable: boolean;
  readonly #maxLines: number;
  readonly #maxDelayMs: number;
  #fd: number | undefined;
  /** Lines written but not yet synced, waiting for the next group sync. */
  #waiting: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  #timer: NodeJS.Timeout | undefined;
  #syncing = false;

  constructor(path: string, options: { durable?: boolean; groupSync?: GroupSyncOptions } = {}) {
    this.path = path;
    this.#durable = options.durable ?? false;
    this.#maxLines = options.groupSync?.maxLines ?? 256;
    this.#maxDelayMs = options.groupSync?.maxDelayMs ?? 10;
    // Cut a torn tail from an earlier kill first, or the next line would be glued onto it.
    readJsonlTail(path);
    this.#fd = openSync(path, "a");
  }

  append(value: unknown): void {
    const fd = this.#write(value);
    if (this.#durable) {
      fdatasyncSync(fd);
      this.syncs++;
    }
  }

  /**
   * Writes the line now (a killed process keeps it) and resolves once it is on disk, after a
   * group fdatasync shared with the lines appended around it.
   */
  appendSynced(value: unknown): Promise<void> {
    this.#write(value);
    return new Promise((resolve, reject) => {
      this.#waiting.push({ resolve, reject });
      if (this.#waiting.length >= this.#maxLines) this.#syncNow();
      else this.#timer ??= setTimeout(() => this.#syncNow(), this.#maxDelayMs);
    });
  }

  /** Syncs what waits, then closes; lines waiting for a group sync resolve here. */
  close(): void {
    if (this.#fd === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const waiting = this.#waiting;
    this.#waiting = [];
    if (waiting.length > 0 || this.#syncing) {
      fdatasyncSync(this.#fd);
      this.syncs++;
    }
    closeSync(this.#fd);
    this.#fd = undefined;
    for (const w of waiting) w.resolve();
  }

  #write(value: unknown): number {
    if (this.#fd === undefined) throw new Error(`${this.path} is closed`);
    const buffer = Buffer.from(`${JSON.stringify(value)}\n`, "utf8");
    let written = 0;
    while (written < buffer.length)
      written += writeSync(this.#fd, buffer, written, buffer.length - written);
    return this.#fd;
  }

  /** One fdatasync for every waiting line; lines arriving meanwhile wait for the next one. */
  #syncNow(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#syncing || this.#waiting.length === 0 || this.#fd === undefined) return;
    const batch = this.#waiting;
    this.#waiting = [];
    this.#syncing = true;
    this.syncs++;
    fdatasync(this.#fd, (error) => {
      this.#syncing = false;
      for (const w of batch) {
        if (error && this.#fd !== undefined) w.reject(error);
        else w.resolve();
      }
      if (this.#waiting.length >= this.#maxLines) this.#syncNow();
      else if (this.#waiting.length > 0)
        this.#timer ??= setTimeout(() => this.#syncNow(), this.#maxDelayMs);
    });
  }
}

/** Truncates an incomplete last line, if any, reading the file backwards from its end. */
function readJsonlTail(path: string): void {
  if (!existsSync(path)) return;
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    const chunk = Buffer.alloc(1 << 16);
    let position = size;
    while (position > 0) {
      const length = Math.min(chunk.length, position);
      position -= length;
      readSync(fd, chunk, 0, length, position);
      const at = chunk.subarray(0, length).lastIndexOf(newline);
      if (at >= 0) {
        const end = position + at + 1;
        if (end < size) truncateSync(path, end);
        return;
      }
    }
    if (size > 0) truncateSync(path, 0);
  } finally {
    closeSync(fd);
  }
}
