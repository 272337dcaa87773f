import { createHash } from "node:crypto";
import { closeSync, openSync, readSync } from "node:fs";

/** How far an index has read a JSONL file that only ever grows (a run's results and events). */
export interface FileMark {
  size: number;
  mtimeMs: number;
  /** Bytes read so far (complete lines only). */
  covered: number;
  /** sha1 of the first and the last 4 KB of the bytes covered: see `stillCovers`. */
  fingerprint: string;
}

const edge = 4096;

function fingerprint(path: string, covered: number): string {
  const fd = openSync(path, "r");
  try {
    const hash = createHash("sha1");
    const buffer = Buffer.alloc(Math.min(edge, covered));
    for (const at of [0, Math.max(0, covered - edge)]) {
      const read = readSync(fd, buffer, 0, buffer.length, at);
      hash.update(buffer.subarray(0, read));
    }
    return hash.digest("hex");
  } finally {
    closeSync(fd);
  }
}

/** The mark of `path` read up to `covered`, with the size and mtime it had before reading. */
export function markFile(
  path: string,
  stat: { size: number; mtimeMs: number },
  covered: number,
): FileMark {
  return {
    size: stat.size,
    mtimeMs: stat.mtimeMs,
    covered,
    fingerprint: fingerprint(path, covered),
  };
}

/**
 * Whether `path` still begins with the bytes `mark` covered, so reading on from `mark.covered`
 * extends the index: false when the file shrank or was replaced (a new run written into the same
 * folder, a copy over it), which its size alone cannot tell once it has grown past the mark.
 */
export function stillCovers(path: string, mark: FileMark, size: number): boolean {
  return size >= mark.covered && fingerprint(path, mark.covered) === mark.fingerprint;
}
