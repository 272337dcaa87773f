import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { startOpenAITestServer } from "../../test/support/openai-server.ts";
import { CallCache } from "./call-cache.ts";
import type { ModelConfig } from "./config.ts";
import { ModelPool } from "./model-pool.ts";
import { runItems } from "./run-items.ts";
import { RunStats } from "./run-stats.ts";

/**
 * A model over several replicas: a call's routing key is its run item's id, and its cache entry
 * does not depend on the replica that answered nor on the order of the URL list (T1's rerun), and
 * with a revision not on the URLs at all.
 */
test("replicas: item ids route calls, and cache hits survive reordering and a revision", async () => {
  const servers = await Promise.all([1, 2, 3].map(() => startOpenAITestServer()));
  const dir = await mkdtemp(join(tmpdir(), "chorus-replica-cache-"));
  const cache = new CallCache(join(dir, "calls.sqlite"));
  const urls = servers.map((s) => s.url);
  const items = Array.from({ length: 60 }, (_, i) => ({ id: `q${i}` }));
  const run = async (entry: ModelConfig) => {
    const stats = new RunStats();
    const pool = new ModelPool({ models: { m: entry }, middleware: { cache, stats } });
    try {
      const report = await runItems(
        items,
        (item) =>
          pool.use("m", async (model) => {
            const a = await model.generate({ prompt: `${item.id} one`, temperature: 0 });
            const b = await model.generate({ prompt: `${item.id} two`, temperature: 0 });
            return [a.generations[0]!.text, b.generations[0]!.text];
          }),
        { concurrency: 8 },
      );
      assert.equal(report.failed.length, 0);
      return stats;
    } finally {
      await pool.close();
    }
  };
  try {
    const first = await run({ engine: "openai", baseURL: urls, model: "test-model" });
    assert.equal(first.cacheHits, 0);
    const posts = servers.flatMap((s) => s.requests.filter((r) => r.method === "POST"));
    assert.equal(posts.length, 120);
    for (const r of posts) {
      const item = String(r.body.prompt).split(" ")[0];
      assert.equal(r.headers["x-smg-routing-key"], item, "the item's id is the routing key");
    }
    const used = servers.filter((s) => s.requests.some((r) => r.method === "POST")).length;
    assert.ok(used >= 2, "calls were spread over the replicas");

    const reversed = await run({
      engine: "openai",
      baseURL: [...urls].reverse(),
      model: "test-model",
    });
    assert.equal(reversed.cacheHits, 120, "the same replicas in another order: all cached");
    const fewer = await run({ engine: "openai", baseURL: urls.slice(0, 2), model: "test-model" });
    assert.equal(fewer.cacheHits, 0, "another set of URLs may serve other weights: not cached");

    const named = { engine: "openai" as const, model: "test-model", revision: "abc123" };
    assert.equal((await run({ ...named, baseURL: urls })).cacheHits, 0);
    const scaled = await run({ ...named, baseURL: urls.slice(1) });
    assert.equal(scaled.cacheHits, 120, "with a revision, the replica set may change");
  } finally {
    cache.close();
    await Promise.all(servers.map((s) => s.close()));
    await rm(dir, { recursive: true, force: true });
  }
});
