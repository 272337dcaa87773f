import { gzipSync } from "node:zlib";
import { UsageError } from "../model/errors.ts";
import { clientBundle } from "./client-bundle.ts";
import { pageHtml } from "./page-html.ts";
import { compareRuns } from "./run-compare.ts";
import type { RunIndex } from "./run-index.ts";
import { type CallView, compareKey, type EmbeddedData } from "./shared/view-data.ts";

export interface ExportResult {
  html: string;
  /** Records (item details) kept and in all; summaries (the table rows) are always kept. */
  kept: number;
  total: number;
  dropped: string;
}

// level 6, not 9: on a 100 MB run's summaries and records 2.5x faster for 2–7% more bytes
const gzipLevel = 6;
const pack = (data: EmbeddedData) =>
  gzipSync(JSON.stringify(data), { level: gzipLevel }).toString("base64");

/** Sides compared at most in an export: every ordered pair of them is computed beforehand. */
const maxSides = 8;

/**
 * The comparisons an export carries, since the page cannot bootstrap: every ordered pair of
 * (run, method) sides when there are at most `maxSides`, else each method against its run's first
 * and each run's first method against the first run's.
 */
function exportComparisons(runs: readonly RunIndex[]): EmbeddedData["comparisons"] {
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
  const out: EmbeddedData["comparisons"] = {};
  for (const [a, b] of pairs) {
    const key = compareKey(
      { run: a.run.id, method: a.method },
      { run: b.run.id, method: b.method },
    );
    out[key] = compareRuns(a, b);
  }
  return out;
}

/**
 * One HTML file showing `runs` from `file://` with no server and no network: the page's script
 * inline, the runs' summaries and records as gzip + base64 in the page. Past `maxBytes`, records
 * are dropped from the end of each run (their rows stay in the table) and the page says so.
 */
export async function exportHtml(
  runs: readonly RunIndex[],
  maxBytes: number,
): Promise<ExportResult> {
  const bundle = await clientBundle();
  const summaries = runs.map((run) => ({ ...run.summary(), training: run.training() }));
  const lines = runs.map((run) =>
    run.rows.map((row) => ({
      line: run.recordLine(row.n)!,
      calls: run.calls(row.n),
      item: run.itemLine(row.n),
    })),
  );
  const total = lines.reduce((a, l) => a + l.length, 0);
  const comparisons = exportComparisons(runs);
  const build = (keep: number, dropped: string): EmbeddedData => {
    const records: EmbeddedData["records"] = {};
    const calls: EmbeddedData["calls"] = {};
    const items: NonNullable<EmbeddedData["items"]> = {};
    let left = keep;
    runs.forEach((run, r) => {
      const kept: Record<number, string> = {};
      const keptCalls: Record<number, CallView[]> = {};
      const keptItems: Record<string, string> = {};
      for (const [n, entry] of lines[r]!.entries()) {
        if (left-- <= 0) break;
        kept[n] = entry.line;
        if (entry.calls.length > 0) keptCalls[n] = entry.calls;
        if (entry.item !== undefined) keptItems[run.rows[n]!.itemId] = entry.item;
      }
      records[run.id] = kept;
      calls[run.id] = keptCalls;
      items[run.id] = keptItems;
    });
    return { runs: summaries, records, calls, items, dropped, comparisons };
  };
  const page = (data: EmbeddedData) => pageHtml(bundle, pack(data));

  const cap = String(Number((maxBytes / 1e6).toPrecision(3)));
  const droppedNote = (kept: number) =>
    `--max-mb ${cap}: the details of ${total - kept} of ${total} result lines were dropped (their table rows are kept)`;
  // Compressing every record to learn that they do not fit takes minutes for 100 MB of them, so
  // the number that fits is estimated first: the page with summaries only, plus each record's
  // raw length times the compressed (base64) bytes per raw byte of the first few MB of records.
  const base = Buffer.byteLength(page(build(0, droppedNote(0))));
  const flat = lines.flat();
  const raw = flat.map((l) => Buffer.byteLength(JSON.stringify(l)));
  let sampled = 0;
  let sampleBytes = 0;
  while (sampled < flat.length && sampleBytes < 4e6) sampleBytes += raw[sampled++]!;
  const perByte = sampled
    ? ((gzipSync(JSON.stringify(flat.slice(0, sampled)), { level: gzipLevel }).length /
        sampleBytes) *
        4) /
      3
    : 0;
  let budget = maxBytes * 0.99 - base;
  let keep = 0;
  while (keep < total && budget >= raw[keep]! * perByte) budget -= raw[keep++]! * perByte;
  let html = page(build(keep, keep < total ? droppedNote(keep) : ""));
  while (Buffer.byteLength(html) > maxBytes && keep > 0) {
    // the estimate was short: shrink in proportion to the overshoot, at least one record a step
    const ratio = maxBytes / Buffer.byteLength(html);
    keep = Math.max(0, Math.min(keep - 1, Math.floor(keep * ratio * 0.98)));
    html = page(build(keep, droppedNote(keep)));
  }
  if (Buffer.byteLength(html) > maxBytes)
    throw new UsageError(
      `the run summaries alone take ${(Buffer.byteLength(html) / 1e6).toFixed(3)} MB, over --max-mb ${cap}`,
    );
  const dropped = keep < total ? droppedNote(keep) : "";
  return { html, kept: keep, total, dropped };
}
