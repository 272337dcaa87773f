import {
  closeSync,
  existsSync,
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

/**
 * Appends one JSON value per line. Each line goes out in a single write of the complete line, so
 * a kill leaves at worst one torn last line, which `readJsonl` drops. `durable` adds an fdatasync
 * after each line, so a finished line also survives a power cut, not just a killed process.
 */
export class JsonlAppender {
  readonly path: string;
  readonly #durable: boolean;
  #fd: number | undefined;

  constructor(path: string, options: { durable?: boolean } = {}) {
    this.path = path;
    this.#durable = options.durable ?? false;
    // Cut a torn tail from an earlier kill first, or the next line would be glued onto it.
    readJsonlTail(path);
    this.#fd = openSync(path, "a");
  }

  append(value: unknown): void {
    if (this.#fd === undefined) throw new Error(`${this.path} is closed`);
    const buffer = Buffer.from(`${JSON.stringify(value)}\n`, "utf8");
    let written = 0;
    while (written < buffer.length)
      written += writeSync(this.#fd, buffer, written, buffer.length - written);
    if (this.#durable) fdatasyncSync(this.#fd);
  }

  close(): void {
    if (this.#fd === undefined) return;
    closeSync(this.#fd);
    this.#fd = undefined;
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
