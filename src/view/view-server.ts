import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { UsageError } from "../model/errors.ts";
import { clientBundle } from "./client-bundle.ts";
import { pageHtml } from "./page-html.ts";
import { streamRows } from "./row-stream.ts";
import { compareRuns } from "./run-compare.ts";
import type { RunIndex } from "./run-index.ts";
import { sendSummaryLines } from "./summary-lines.ts";

export interface ViewServer {
  url: string;
  close(): Promise<void>;
}

const localNames = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** The host name of a Host header, without its port. */
function hostName(header: string): string {
  return header.startsWith("[") ? header.slice(0, header.indexOf("]") + 1) : header.split(":")[0]!;
}

interface Reply {
  status: number;
  type: string;
  body: string;
}

const text = (status: number, body: string): Reply => ({ status, type: "text/plain", body });
const json = (value: unknown): Reply => ({
  status: 200,
  type: "application/json; charset=utf-8",
  body: JSON.stringify(value),
});

function send(req: IncomingMessage, res: ServerResponse, reply: Reply): void {
  res.writeHead(reply.status, {
    "content-type": reply.type,
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    ...(reply.status === 405 ? { allow: "GET, HEAD" } : {}),
  });
  res.end(req.method === "HEAD" ? undefined : reply.body);
}

/**
 * Serves the viewer over the runs given, and nothing else: no file path reaches the disk except
 * through a run's index. GET and HEAD only; a Host header other than a loopback name (or the
 * `--host` the user chose) is refused, so a page on another site cannot reach it by DNS rebinding.
 */
export async function startViewServer(
  runs: readonly RunIndex[],
  options: { host: string; port: number },
): Promise<ViewServer> {
  const page = pageHtml(await clientBundle());
  const byId = new Map(runs.map((run) => [run.id, run]));
  const allowed = new Set(localNames);
  if (!["0.0.0.0", "::"].includes(options.host))
    allowed.add(options.host.includes(":") ? `[${options.host}]` : options.host);

  /** A live run's rows as Server-Sent Events, for `/api/runs/<id>/stream?from=<rows the page has>`. */
  type Stream = { stream: RunIndex; from: number };
  /** A run's summary as JSON lines, its rows in chunks, for `/api/runs/<id>/summary.jsonl`. */
  type Lines = { lines: RunIndex };

  function answer(req: IncomingMessage): Reply | Stream | Lines {
    if (!allowed.has(hostName(req.headers.host ?? ""))) return text(403, "forbidden host\n");
    if (req.method !== "GET" && req.method !== "HEAD") return text(405, "method not allowed\n");
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (path === "/") return { status: 200, type: "text/html; charset=utf-8", body: page };
    if (path === "/api/runs") {
      for (const run of runs) run.refresh();
      return json(runs.map((run) => run.listing()));
    }
    if (path === "/api/compare") {
      const q = new URL(req.url ?? "/", "http://localhost").searchParams;
      const side = (run: string, method: string) => {
        const found = byId.get(q.get(run) ?? "");
        if (!found) return undefined;
        found.refresh();
        return { run: found, method: q.get(method) ?? "" };
      };
      const [a, b] = [side("a", "am"), side("b", "bm")];
      if (!a || !b) return text(404, "no such run\n");
      try {
        return json(compareRuns(a, b));
      } catch (error) {
        if (error instanceof UsageError) return text(404, `${error.message}\n`);
        throw error;
      }
    }
    const match = /^\/api\/runs\/([^/]+)\/(summary|summary\.jsonl|stream|items\/(\d+))$/.exec(path);
    const run = match ? byId.get(decodeURIComponent(match[1]!)) : undefined;
    if (!match || !run) return text(404, "not found\n");
    if (match[2] === "stream") {
      if (req.method === "HEAD") return text(200, "");
      const from = Number(new URL(req.url ?? "/", "http://localhost").searchParams.get("from"));
      return { stream: run, from: Number.isInteger(from) && from >= 0 ? from : 0 };
    }
    run.refresh();
    if (match[2] === "summary.jsonl") return { lines: run };
    if (match[2] === "summary") return json({ ...run.summary(), training: run.training() });
    const detail = run.detail(Number(match[3]));
    return detail ? json(detail) : text(404, "no such item\n");
  }

  const server = createServer((req, res) => {
    let reply: Reply | Stream | Lines;
    try {
      reply = answer(req);
    } catch (error) {
      reply = text(500, `${(error as Error).message}\n`);
    }
    if ("stream" in reply) streamRows(reply.stream, reply.from, req, res);
    else if ("lines" in reply)
      sendSummaryLines(reply.lines, req, res).catch((error: Error) => res.destroy(error));
    else send(req, res, reply);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const shown = options.host.includes(":") ? `[${options.host}]` : options.host;
  return {
    url: `http://${shown}:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
