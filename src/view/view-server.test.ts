import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { sketchTree } from "../methods/pbt/test-trees.ts";
import { Run } from "../runtime/run.ts";
import { firstChunkRows } from "./row-chunks.ts";
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

  it("streams a summary as JSON lines: the summary with its first rows, then the rest", async () => {
    const big = join(dir, "big", "run-b");
    const { records } = writeEvalRun(big, { methods: ["m", "n"], items: 130 });
    const other = await startViewServer(openRuns([big]), { host: "127.0.0.1", port: 0 });
    try {
      const reply = await get(other.url, "/api/runs/run-b/summary.jsonl");
      assert.equal(reply.status, 200);
      assert.match(reply.type, /application\/x-ndjson/);
      const [head, ...rest] = reply.body
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l));
      assert.equal(head.listing.results, 260);
      assert.equal(head.rows.length, firstChunkRows);
      assert.deepEqual(head.extraColumns, ["intervened", "decoding"]);
      assert.equal(rest.length, 1);
      const rows = [...head.rows, ...rest.flat()];
      assert.deepEqual(
        rows.map((r: { n: number; itemId: string }) => [r.n, r.itemId]),
        records.map((r, n) => [n, r.itemId]),
      );
      assert.deepEqual(
        { ...head, rows },
        JSON.parse((await get(other.url, "/api/runs/run-b/summary")).body),
      );
      const head2 = await get(other.url, "/api/runs/run-b/summary.jsonl", { method: "HEAD" });
      assert.deepEqual([head2.status, head2.body], [200, ""]);
    } finally {
      await other.close();
    }
  });

  it("sends a training run's panel data with its summary, in both forms, never in the runs list", async () => {
    const trees = Run.create({ dir: join(dir, "pbt", "run-t"), config: { demo: "pbt" } });
    for (const id of ["a", "b"])
      trees.appendResult({
        id: `tree/train/${id}`,
        index: 0,
        result: sketchTree(id, ["paris"], { text: "paris", answers: ["paris", "rome"] }),
      });
    trees.close();
    const runs = openRuns([trees.dir]);
    const other = await startViewServer(runs, { host: "127.0.0.1", port: 0 });
    try {
      const [head] = (await get(other.url, "/api/runs/run-t/summary.jsonl")).body
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l));
      assert.equal(head.training[0].kind, "pbt");
      assert.deepEqual(head.training, runs[0]!.training());
      const summary = JSON.parse((await get(other.url, "/api/runs/run-t/summary")).body);
      assert.deepEqual(summary.training, head.training);
      const [listing] = JSON.parse((await get(other.url, "/api/runs")).body);
      assert.equal(listing.training, undefined);
    } finally {
      await other.close();
    }
  });

  it("compares two sides on shared items, 404 for a run or method it does not have", async () => {
    const view = JSON.parse(
      (await get(server.url, "/api/compare?a=run-a&am=adacad&b=run-a&bm=greedy")).body,
    );
    assert.equal(view.pairs.length, 4);
    // item i of method m is right when (i + m) % 3 === 0: q0, q3 lost, q2 gained, q1 wrong in both
    assert.deepEqual([view.a.method, view.b.method], ["adacad", "greedy"]);
    assert.deepEqual(view.confusion, { both: 0, neither: 1, onlyA: 2, onlyB: 1 });
    assert.deepEqual(
      view.pairs.map((p: { itemId: string; flip: string | null }) => [p.itemId, p.flip]),
      [
        ["q0", "lost"],
        ["q3", "lost"],
        ["q2", "gained"],
        ["q1", null],
      ],
    );
    assert.equal((await get(server.url, "/api/compare?a=run-a&am=adacad&b=nope&bm=x")).status, 404);
    assert.equal(
      (await get(server.url, "/api/compare?a=run-a&am=adacad&b=run-a&bm=x")).status,
      404,
    );
  });

  it("streams rows appended to results.jsonl as Server-Sent Events", async () => {
    const response = await fetch(`${server.url}api/runs/run-a/stream?from=8`);
    assert.match(String(response.headers.get("content-type")), /text\/event-stream/);
    const reader = response.body!.getReader();
    const line = {
      id: "greedy/q9",
      index: 9,
      result: {
        method: "greedy",
        itemId: "q9",
        prediction: "x",
        gold: "y",
        correct: false,
        score: 0,
        usage: {},
        wallMs: 1,
      },
    };
    appendFileSync(join(dir, "run-a", "results.jsonl"), `${JSON.stringify(line)}\n`);
    let text = "";
    while (!text.includes("event: rows"))
      text += new TextDecoder().decode((await reader.read()).value);
    while (!text.endsWith("\n\n")) text += new TextDecoder().decode((await reader.read()).value);
    const data = JSON.parse(text.slice(text.indexOf("event: rows")).split("\n")[1]!.slice(6));
    assert.deepEqual(
      data.rows.map((r: { n: number; itemId: string }) => [r.n, r.itemId]),
      [[8, "q9"]],
    );
    assert.equal(data.listing.results, 9);
    await reader.cancel();
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
