import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { writeEvalRun } from "./run-fixture.ts";
import { openRuns } from "./run-folders.ts";
import { startViewServer, type ViewServer } from "./view-server.ts";

/** A raw request, so the Host header and path are sent exactly as given. */
function get(
  url: string,
  path: string,
  options: { host?: string; method?: string } = {},
): Promise<{ status: number; type: string; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        hostname,
        port,
        path,
        method: options.method ?? "GET",
        headers: options.host ? { host: options.host } : {},
      },
      (res) => {
        let body = "";
        res.on("data", (chunk) => (body += chunk));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, type: String(res.headers["content-type"]), body }),
        );
      },
    );
    req.on("error", reject);
    req.end();
  });
}

describe("chorus view server", () => {
  const dir = mkdtempSync(join(tmpdir(), "chorus-view-server-"));
  let server: ViewServer;
  before(async () => {
    writeEvalRun(join(dir, "run-a"), { methods: ["adacad", "greedy"], items: 4 });
    server = await startViewServer(openRuns([dir]), { host: "127.0.0.1", port: 0 });
  });
  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers / with the page, its script allowed by hash and nothing else", async () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await get(server.url, "/");
    assert.equal(page.status, 200);
    assert.match(page.type, /text\/html/);
    assert.match(
      page.body,
      /Content-Security-Policy" content="default-src 'none'; script-src 'sha256-/,
    );
    assert.doesNotMatch(page.body, /<script src=/);
  });

  it("serves runs, summaries and one record at a time", async () => {
    const runs = JSON.parse((await get(server.url, "/api/runs")).body);
    assert.deepEqual(
      runs.map((r: { id: string }) => r.id),
      ["run-a"],
    );
    const summary = JSON.parse((await get(server.url, "/api/runs/run-a/summary")).body);
    assert.equal(summary.rows.length, 8);
    const item = JSON.parse((await get(server.url, "/api/runs/run-a/items/5")).body);
    assert.equal(item.record.result.itemId, "q1");
    assert.equal(item.calls.length, 1);
  });

  it("refuses foreign Host headers, other methods, unknown runs and paths outside the API", async () => {
    assert.equal((await get(server.url, "/", { host: "evil.example" })).status, 403);
    assert.equal((await get(server.url, "/", { host: "evil.example:80" })).status, 403);
    assert.equal((await get(server.url, "/", { host: "localhost:1234" })).status, 200);
    assert.equal((await get(server.url, "/", { host: "[::1]:1234" })).status, 200);
    assert.equal((await get(server.url, "/", { method: "POST" })).status, 405);
    assert.equal(
      (await get(server.url, "/api/runs/run-a/summary", { method: "DELETE" })).status,
      405,
    );
    assert.equal((await get(server.url, "/api/runs/nope/summary")).status, 404);
    assert.equal((await get(server.url, "/api/runs/run-a/items/99")).status, 404);
    for (const path of [
      "/../config.json",
      "/run-a/config.json",
      "/api/runs/..%2Frun-a/summary",
      "/api/runs/run-a/results.jsonl",
    ])
      assert.equal((await get(server.url, path)).status, 404, path);
  });
});
