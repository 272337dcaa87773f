import { closeSync, openSync, readSync } from "node:fs";

/** Where one complete line of a JSONL file lies, in bytes. */
export interface LineSpan {
  offset: number;
  length: number;
}

/**
 * Calls `onLine` for every complete line of `path` with its byte span, reading in chunks so a
 * large file is never held whole. A last line without its newline is a torn write (a killed run)
 * and is skipped, as `readJsonl` does. Returns the bytes covered by complete lines.
 */
export function scanLines(
  path: string,
  onLine: (text: string, span: LineSpan) => void,
  from = 0,
): number {
  const fd = openSync(path, "r");
  try {
    const chunk = Buffer.alloc(1 << 20);
    let pending: Buffer[] = [];
    let pendingStart = from;
    let position = from;
    for (;;) {
      const read = readSync(fd, chunk, 0, chunk.length, position);
      if (read === 0) break;
      let start = 0;
      for (
        let at = chunk.indexOf(0x0a, 0);
        at >= 0 && at < read;
        at = chunk.indexOf(0x0a, at + 1)
      ) {
        const piece = chunk.subarray(start, at);
        const line = pending.length > 0 ? Buffer.concat([...pending, piece]) : piece;
        onLine(line.toString("utf8"), { offset: pendingStart, length: line.length });
        pending = [];
        pendingStart = position + at + 1;
        start = at + 1;
      }
      if (start < read) pending.push(Buffer.from(chunk.subarray(start, read)));
      position += read;
    }
    return pendingStart;
  } finally {
    closeSync(fd);
  }
}

/** The texts of lines by their spans, read through one file descriptor. */
export function readSpans(path: string, spans: readonly LineSpan[]): string[] {
  if (spans.length === 0) return [];
  const fd = openSync(path, "r");
  try {
    return spans.map((span) => {
      const buffer = Buffer.alloc(span.length);
      readSync(fd, buffer, 0, span.length, span.offset);
      return buffer.toString("utf8");
    });
  } finally {
    closeSync(fd);
  }
}

/** The text of one line by its span. */
export const readSpan = (path: string, span: LineSpan): string => readSpans(path, [span])[0]!;
