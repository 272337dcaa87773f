/**
 * A small loopback HTTP load generator (node:http only, so no dependency for a few thousand
 * requests): `concurrency` keep-alive connections send a fixed list of requests and record each
 * status and latency. Used by the `chorus serve` load test and `npm run bench -- serve-load`.
 */
import { Agent, request as httpRequest } from "node:http";

/** One request to send. `body` may be a string or bytes; `chunked` omits Content-Length. */
export interface LoadRequest {
  kind: string;
  method: "GET" | "POST";
  path: string;
  body?: string | Uint8Array;
  chunked?: boolean;
}

/** What came back for one request: a status, or the socket error that ended it. */
export interface LoadResult {
  kind: string;
  status: number | undefined;
  error: string | undefined;
  ms: number;
  body: string;
}

/** Sends every request (at most `concurrency` at once) to `origin`, e.g. http://127.0.0.1:8080. */
export async function runLoad(
  origin: string,
  requests: readonly LoadRequest[],
  concurrency: number,
  timeoutMs = 10_000,
): Promise<LoadResult[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const results: LoadResult[] = new Array(requests.length);
  let next = 0;
  const worker = async () => {
    while (next < requests.length) {
      const index = next++;
      results[index] = await sendOne(origin, requests[index]!, agent, timeoutMs);
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    agent.destroy();
  }
  return results;
}

function sendOne(
  origin: string,
  spec: LoadRequest,
  agent: Agent,
  timeoutMs: number,
): Promise<LoadResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const finish = (status: number | undefined, error: string | undefined, body = "") => {
      if (settled) return;
      settled = true;
      resolve({ kind: spec.kind, status, error, ms: performance.now() - started, body });
    };
    const headers: Record<string, string | number> = { "content-type": "application/json" };
    if (spec.body !== undefined && !spec.chunked)
      headers["content-length"] = Buffer.byteLength(spec.body);
    const req = httpRequest(
      `${origin}${spec.path}`,
      { method: spec.method, agent, headers, timeout: timeoutMs },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          finish(response.statusCode, undefined, Buffer.concat(chunks).toString("utf8")),
        );
        response.on("error", (error) => finish(response.statusCode, error.message));
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", (error: NodeJS.ErrnoException) =>
      finish(undefined, error.code ?? error.message),
    );
    if (spec.body === undefined) req.end();
    else req.end(spec.body);
  });
}

/** The q-quantile (0..1) of `values` (nearest rank). */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Request count per status (or error code), e.g. { "200": 1800, "400": 150, "ECONNRESET": 2 }. */
export function statusCounts(results: readonly LoadResult[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of results) {
    const key = r.status !== undefined ? String(r.status) : (r.error ?? "none");
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}
