import type { IncomingMessage, ServerResponse } from "node:http";
import type { RunIndex } from "./run-index.ts";

/** How often a stream looks at the run's files (the design's target: a new row shown < 1 s). */
export const streamPollMs = 250;
/** A comment line this often keeps proxies and the browser from timing the stream out. */
const heartbeatMs = 15_000;

/**
 * Server-Sent Events of a run's new result rows, for a page showing a run that is still being
 * written: `rows` events carry the rows past `from` (and the run's new listing); `reset` says the
 * file was replaced (a shorter results.jsonl) and the page should reload. Polls the file's size
 * and mtime through the index, so only appended bytes are read.
 */
export function streamRows(
  run: RunIndex,
  from: number,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    connection: "keep-alive",
  });
  let sent = from;
  const look = () => {
    try {
      run.refresh();
    } catch (error) {
      // a half-written config.json or a file mid-replace: look again next time
      res.write(`: ${(error as Error).message.split("\n")[0]}\n\n`);
      return;
    }
    const rows = run.rows;
    if (rows.length < sent) {
      res.write("event: reset\ndata: {}\n\n");
      sent = rows.length;
    } else if (rows.length > sent) {
      const fresh = rows.slice(sent);
      sent = rows.length;
      res.write(
        `event: rows\ndata: ${JSON.stringify({ rows: fresh, listing: run.listing() })}\n\n`,
      );
    }
  };
  res.write(": chorus view stream\n\n");
  look();
  const poll = setInterval(look, streamPollMs);
  const heartbeat = setInterval(() => res.write(": keep-alive\n\n"), heartbeatMs);
  req.on("close", () => {
    clearInterval(poll);
    clearInterval(heartbeat);
  });
}
