import type { IncomingMessage, ServerResponse } from "node:http";
import { rowChunks } from "./row-chunks.ts";
import type { RunIndex } from "./run-index.ts";

/** Resolves once `res` can take more (or is gone): backpressure, so rows are not all buffered. */
function writable(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

/**
 * A run's summary as JSON lines, for `/api/runs/<id>/summary.jsonl`: first the summary (with its
 * training views) and its first rows (a page draws its table from that line alone), then the rest
 * of the rows as arrays, written as the client takes them. A 30k-line run's summary is 16 MB of JSON; a page that waited
 * for all of it showed its first rows seconds later. The rows are those the run had when the
 * request came; rows appended since reach the page by its `/stream`.
 */
export async function sendSummaryLines(
  run: RunIndex,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  res.writeHead(200, {
    "content-type": "application/x-ndjson; charset=utf-8",
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
  });
  if (req.method === "HEAD") {
    res.end();
    return;
  }
  // training views go with a run's summary, never in the runs list (run-index.ts)
  const summary = { ...run.summary(), training: run.training() };
  // the index's own array: a refresh appends to it (or replaces it), never changes these rows
  const [first, ...later] = rowChunks(summary.rows, summary.listing.results);
  const lines = [{ ...summary, rows: first }, ...later];
  for (const line of lines) {
    if (res.destroyed) return;
    if (!res.write(`${JSON.stringify(line)}\n`)) await writable(res);
    // let the socket send what it has before the next chunk is made into JSON
    else await new Promise((resolve) => setImmediate(resolve));
  }
  res.end();
}
