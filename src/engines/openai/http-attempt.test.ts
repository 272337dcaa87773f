import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { attemptRequest } from "./http-attempt.ts";

/** A local server that answers `{}` at once, or never when the path is /hang. */
async function listen(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    if (req.url === "/hang") return;
    res.setHeader("content-type", "application/json");
    res.end("{}");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const options = (url: string) => ({
  url,
  apiKey: undefined,
  timeoutMs: 100,
  maxRetryAfterMs: 0,
  fetch,
  retries: 0,
});
const request = { method: "GET", path: "/", expected: "an answer" } as const;

test("a stall of this process is not the server's timeout; a server that never answers still times out", async () => {
  const { server, url } = await listen();
  try {
    const answered = attemptRequest(request, options(`${url}/`));
    // Busy for 3x the timeout: the timer fires late, before the answer could even be read.
    const until = performance.now() + 300;
    while (performance.now() < until) {}
    const outcome = await answered;
    assert.ok("response" in outcome, `answered, not ${"kind" in outcome ? outcome.kind : ""}`);
    const started = performance.now();
    const hung = await attemptRequest(request, options(`${url}/hang`));
    assert.equal("kind" in hung && hung.kind, "timeout");
    assert.ok(performance.now() - started < 1000, "timed out in about timeoutMs");
    server.closeAllConnections();
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
