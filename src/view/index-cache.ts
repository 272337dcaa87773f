import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { FileMark } from "./file-mark.ts";
import type { ItemSpans } from "./items-file.ts";
import type { ExpertSkillMatrix, ItemRow } from "./shared/view-data.ts";

/** Model calls over a run, per model, from events.jsonl. */
export interface ModelTotals {
  calls: number;
  tokens: number;
  latencyMs: number;
}

/** Sums over a run's rows that its listing shows. */
export interface RowTotals {
  tokens: number;
  calls: number;
  wallMs: number;
}

/**
 * What a run's index keeps between `chorus view` processes, less its rows: how far it read each
 * file (size, mtime, bytes covered, a fingerprint of them), the line spans and calls per item
 * (flat `[offset, length, ...]` lists), what the runs list needs without the rows (their ids,
 * sums and extra columns), Symbolic-MoE's expert × skill matrices over those rows (a few KB
 * that would otherwise take a second read of every routed record) and where each item's line of
 * `items.jsonl` lies (else the first item opened reads the whole file). A new process reads this at once; the rows, most of the file,
 * only when something asks for them (a table, a comparison), so listing many runs stays quick.
 */
export interface IndexHead {
  spans: number[];
  events: Record<string, number[]>;
  byModel: Array<[string, ModelTotals]>;
  marks: Record<string, FileMark>;
  ids: string[];
  totals: RowTotals;
  extraColumns: string[];
  /** Empty when no line routed by skill. */
  expertSkills: ExpertSkillMatrix[];
  items: ItemSpans;
}

/** A cached index as read back: its head, and its rows parsed on the first call. */
export interface CachedIndex {
  head: IndexHead;
  rows: () => ItemRow[];
}

/** Bumped whenever IndexHead, ItemRow or the file's layout changes, so old files are not read. */
const version = 4;

/**
 * The cache file of the run folder `dir`: `<cacheDir>/view-index/<hash of the path>.json`. Two
 * lines: `{version, dir, rowsBytes, head}`, then the rows as one JSON array of `rowsBytes` bytes.
 */
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

/** The index cached for `dir`, or undefined when there is none or it is unreadable or stale. */
export function readIndexCache(cacheDir: string, dir: string): CachedIndex | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(indexCachePath(cacheDir, dir));
  } catch {
    return undefined;
  }
  const end = bytes.indexOf(0x0a);
  try {
    const first = JSON.parse(bytes.toString("latin1", 0, end)) as {
      version?: number;
      dir?: string;
      rowsBytes?: number;
      head?: IndexHead;
    };
    // a file of another version or run, or one whose rows are not all there, is not used
    if (first.version !== version || first.dir !== dir || !first.head) return undefined;
    if (bytes.length - end - 1 !== first.rowsBytes) return undefined;
    return {
      head: first.head,
      rows: () => JSON.parse(bytes.toString("latin1", end + 1)) as ItemRow[],
    };
  } catch {
    return undefined;
  }
}

/**
 * Writes the index of `dir` atomically (a temporary file renamed over the old one), so a reader
 * never sees half a file and two viewers writing at once leave one whole file. A cache folder
 * that cannot be written is not an error: the viewer indexes again next time.
 */
export function writeIndexCache(
  cacheDir: string,
  dir: string,
  head: IndexHead,
  rows: readonly ItemRow[],
): void {
  const path = indexCachePath(cacheDir, dir);
  const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    mkdirSync(join(cacheDir, "view-index"), { recursive: true });
    const body = asciiJson(rows);
    const first = asciiJson({ version, dir, rowsBytes: body.length, head });
    writeFileSync(temporary, `${first}\n${body}`, "latin1");
    renameSync(temporary, path);
  } catch {
    rmSync(temporary, { force: true });
  }
}
