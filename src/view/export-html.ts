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

const pack = (data: EmbeddedData) =>
  gzipSync(JSON.stringify(data), { level: 9 }).toString("base64");

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
  const summaries = runs.map((run) => run.summary());
  const lines = runs.map((run) =>
    run.rows.map((row) => ({ line: run.recordLine(row.n)!, calls: run.calls(row.n) })),
  );
  const total = lines.reduce((a, l) => a + l.length, 0);
  const comparisons = exportComparisons(runs);
  const build = (keep: number, dropped: string): EmbeddedData => {
    const records: EmbeddedData["records"] = {};
    const calls: EmbeddedData["calls"] = {};
    let left = keep;
    runs.forEach((run, r) => {
      const kept: Record<number, string> = {};
      const keptCalls: Record<number, CallView[]> = {};
      for (const [n, entry] of lines[r]!.entries()) {
        if (left-- <= 0) break;
        kept[n] = entry.line;
        if (entry.calls.length > 0) keptCalls[n] = entry.calls;
      }
      records[run.id] = kept;
      calls[run.id] = keptCalls;
    });
    return { runs: summaries, records, calls, dropped, comparisons };
  };
  const page = (data: EmbeddedData) => pageHtml(bundle, pack(data));

  let keep = total;
  let html = page(build(keep, ""));
  const cap = String(Number((maxBytes / 1e6).toPrecision(3)));
  while (Buffer.byteLength(html) > maxBytes && keep > 0) {
    // shrink in proportion to the overshoot, at least one record per step
    const ratio = maxBytes / Buffer.byteLength(html);
    keep = Math.max(0, Math.min(keep - 1, Math.floor(keep * ratio * 0.98)));
    const dropped = `--max-mb ${cap}: the details of ${total - keep} of ${total} result lines were dropped (their table rows are kept)`;
    html = page(build(keep, dropped));
  }
  if (Buffer.byteLength(html) > maxBytes)
    throw new UsageError(
      `the run summaries alone take ${(Buffer.byteLength(html) / 1e6).toFixed(3)} MB, over --max-mb ${cap}`,
    );
  const dropped =
    keep < total
      ? `--max-mb ${cap}: the details of ${total - keep} of ${total} result lines were dropped (their table rows are kept)`
      : "";
  return { html, kept: keep, total, dropped };
}
