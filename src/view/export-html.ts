import { gzipSync } from "node:zlib";
import { UsageError } from "../model/errors.ts";
import { clientBundle } from "./client-bundle.ts";
import { blockElementId, pageHtml } from "./page-html.ts";
import { rowChunks } from "./row-chunks.ts";
import { compareRuns } from "./run-compare.ts";
import type { RunIndex } from "./run-index.ts";
import type { ExportHead, RecordBlock } from "./shared/export-data.ts";
import { type CompareView, compareKey } from "./shared/view-data.ts";

export interface ExportResult {
  html: string;
  /** Records (item details) kept and in all; summaries (the table rows) are always kept. */
  kept: number;
  total: number;
  dropped: string;
}

// level 6, not 9: on a 100 MB run's summaries and records 2.5x faster for 2–7% more bytes
const gzipLevel = 6;
const pack = (value: unknown) =>
  gzipSync(JSON.stringify(value), { level: gzipLevel }).toString("base64");

/** Sides compared at most in an export: every ordered pair of them is computed beforehand. */
const maxSides = 8;

/**
 * The comparisons an export carries, since the page cannot bootstrap: every ordered pair of
 * (run, method) sides when there are at most `maxSides`, else each method against its run's first
 * and each run's first method against the first run's.
 */
function exportComparisons(runs: readonly RunIndex[]): Record<string, CompareView> {
  const sides = runs.flatMap((run) =>
    [...new Set(run.rows.map((r) => r.method))].map((method) => ({ run, method })),
  );
  const firstOf = (run: RunIndex) => sides.find((s) => s.run === run)!;
  const pairs =
    sides.length <= maxSides
      ? sides.flatMap((a) => sides.filter((b) => b !== a).map((b) => [a, b] as const))
      : sides
          .filter((s) => s !== sides[0])
          .map((b) => [firstOf(b.run) === b ? sides[0]! : firstOf(b.run), b] as const);
  const out: Record<string, CompareView> = {};
  for (const [a, b] of pairs) {
    const key = compareKey(
      { run: a.run.id, method: a.method },
      { run: b.run.id, method: b.method },
    );
    out[key] = compareRuns(a, b);
  }
  return out;
}

/** Raw bytes of records per block: a few hundred records, one gzip member, opened as one. */
const recordBlockBytes = 1e6;

/**
 * The records of lines `from`... of `run` up to about `recordBlockBytes`, with their calls and
 * their items' inputs.
 */
function recordBlock(run: RunIndex, from: number): RecordBlock {
  let to = from;
  let bytes = 0;
  while (to < run.rows.length && bytes < recordBlockBytes) bytes += run.spanLength(to++);
  const rows = run.rows.slice(from, to);
  return {
    from,
    lines: run.recordLines(from, to),
    calls: rows.map((row) => run.calls(row.n)),
    items: rows.map((row) => run.itemLine(row.n) ?? null),
  };
}

/** The first `count` lines of `block`. */
const firstLines = (block: RecordBlock, count: number): RecordBlock => ({
  from: block.from,
  lines: block.lines.slice(0, count),
  calls: block.calls.slice(0, count),
  items: block.items.slice(0, count),
});

/**
 * One HTML file showing `runs` from `file://` with no server and no network: the page's script
 * inline, the runs' summaries, rows, records and comparisons as gzip + base64 blocks in the page
 * (shared/export-data.ts). Past `maxBytes`, records are dropped from the end (their rows stay in
 * the table) and the page says so.
 */
export async function exportHtml(
  runs: readonly RunIndex[],
  maxBytes: number,
): Promise<ExportResult> {
  const bundle = await clientBundle();
  const blocks: string[] = [];
  const add = (value: unknown) => {
    blocks.push(pack(value));
    return blockElementId(blocks.length - 1);
  };
  // training views go with a run's summary, never in the runs list (run-index.ts)
  const summaries = runs.map((run) => ({ ...run.summary(), training: run.training() }));
  const rows = Object.fromEntries(
    summaries.map((s) => [s.listing.id, rowChunks(s.rows).map(add)] as const),
  );
  const comparisons = Object.fromEntries(
    Object.entries(exportComparisons(runs)).map(([key, view]) => [key, add(view)] as const),
  );
  const total = summaries.reduce((a, s) => a + s.rows.length, 0);
  const cap = String(Number((maxBytes / 1e6).toPrecision(3)));
  const droppedNote = (kept: number) =>
    kept < total
      ? `--max-mb ${cap}: the details of ${total - kept} of ${total} result lines were dropped (their table rows are kept)`
      : "";
  const records: ExportHead["records"] = Object.fromEntries(runs.map((run) => [run.id, []]));
  const page = (kept: number) =>
    pageHtml(bundle, {
      head: pack({
        runs: summaries.map((s) => ({ ...s, rows: [] })),
        dropped: droppedNote(kept),
        rows,
        records,
        comparisons,
      } satisfies ExportHead),
      blocks,
    });
  const size = (html: string) => Buffer.byteLength(html);
  const summariesOnly = page(0);
  if (size(summariesOnly) > maxBytes)
    throw new UsageError(
      `the run summaries alone take ${(size(summariesOnly) / 1e6).toFixed(3)} MB, over --max-mb ${cap}`,
    );
  // Records go in block by block, each compressed once, until the next would not fit; of that
  // one, the lines that fit. Records past it are never read. Each block also costs its
  // <script> element and its entry in the head (`entry`), and the note of what was dropped
  // may change by a few digits.
  const entry = 80 + 100;
  let left = maxBytes - size(summariesOnly) - 100;
  let kept = 0;
  fill: for (const run of runs) {
    for (let from = 0; from < run.rows.length; ) {
      let block = recordBlock(run, from);
      let packed = pack(block);
      const whole = block.lines.length;
      const cost = (b: string) => b.length + entry;
      while (cost(packed) > left && block.lines.length > 0) {
        // shrink in proportion to the overshoot, at least one line a step
        const count = Math.min(
          block.lines.length - 1,
          Math.floor((block.lines.length * left) / cost(packed)),
        );
        block = firstLines(block, count);
        packed = pack(block);
      }
      if (block.lines.length === 0) break fill;
      blocks.push(packed);
      records[run.id]!.push({
        block: blockElementId(blocks.length - 1),
        from,
        count: block.lines.length,
      });
      left -= cost(packed);
      kept += block.lines.length;
      from += block.lines.length;
      if (block.lines.length < whole) break fill;
    }
  }
  let html = page(kept);
  while (size(html) > maxBytes) {
    // the allowance per block was short: the last record block goes
    const run = runs.findLast((r) => records[r.id]!.length > 0);
    if (!run) break; // cannot happen: the page without records fit
    kept -= records[run.id]!.pop()!.count;
    blocks.pop();
    html = page(kept);
  }
  return { html, kept, total, dropped: droppedNote(kept) };
}
