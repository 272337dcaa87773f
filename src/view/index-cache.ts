import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { FileMark } from "./file-mark.ts";
import type { ItemRow } from "./shared/view-data.ts";

/** Model calls over a run, per model, from events.jsonl. */
export interface ModelTotals {
  calls: number;
  tokens: number;
  latencyMs: number;
}

/**
 * What a run's index keeps between `chorus view` processes: everything it read, and how far it
 * read each file (size, mtime, bytes covered, a fingerprint of them). Spans are flat
 * `[offset, length, offset, length...]` lists, which JSON reads back faster than objects.
 */
export interface IndexSnapshot {
  rows: ItemRow[];
  spans: number[];
  events: Record<string, number[]>;
  byModel: Array<[string, ModelTotals]>;
  marks: Record<string, FileMark>;
}

/** Bumped whenever IndexSnapshot or ItemRow changes shape, so old cache files are not read. */
const version = 2;

/** The cache file of the run folder `dir`: `<cacheDir>/view-index/<hash of the path>.json`. */
export function indexCachePath(cacheDir: string, dir: string): string {
  const key = createHash("sha256").update(dir).digest("hex").slice(0, 32);
  return join(cacheDir, "view-index", `${key}.json`);
}

/**
 * JSON with every character past ASCII written as a `\u` escape: the file is plain ASCII, which
 * reads back as Latin-1, a byte-for-byte copy, where decoding 17 MB of UTF-8 took longer than
 * reading it, and parses into one-byte strings.
 */
const asciiJson = (value: unknown) =>
  JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );

/** The snapshot cached for `dir`, or undefined when there is none or it is unreadable or stale. */
export function readIndexCache(cacheDir: string, dir: string): IndexSnapshot | undefined {
  let text: string;
  try {
    text = readFileSync(indexCachePath(cacheDir, dir)).toString("latin1");
  } catch {
    return undefined;
  }
  try {
    const cached = JSON.parse(text) as { version?: number; dir?: string; snapshot?: IndexSnapshot };
    return cached.version === version && cached.dir === dir ? cached.snapshot : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Writes the snapshot of `dir` atomically (a temporary file renamed over the old one), so a
 * reader never sees half a file and two viewers writing at once leave one whole snapshot.
 * A cache folder that cannot be written is not an error: the viewer indexes again next time.
 */
export function writeIndexCache(cacheDir: string, dir: string, snapshot: IndexSnapshot): void {
  const path = indexCachePath(cacheDir, dir);
  const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    mkdirSync(join(cacheDir, "view-index"), { recursive: true });
    writeFileSync(temporary, asciiJson({ version, dir, snapshot }), "latin1");
    renameSync(temporary, path);
  } catch {
    rmSync(temporary, { force: true });
  }
}
