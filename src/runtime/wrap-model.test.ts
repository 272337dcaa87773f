import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { BudgetExceededError, ModelCallError } from "../model/errors.ts";
import { ScriptedModel } from "../testing/scripted-model.ts";
import { CallCache } from "./call-cache.ts";
import type { CallEvent } from "./call-event.ts";
import { RunStats } from "./run-stats.ts";
import { TokenBudget } from "./token-budget.ts";
import { wrapModel } from "./wrap-model.ts";

function tempCache(): CallCache {
  return new CallCache(join(mkdtempSync(join(tmpdir(), "chorus-cache-")), "calls.sqlite"));
}

test("deterministic calls hit the cache, across reopening it; sampled calls do not", async () => {
  const cache = tempCache();
  const inner = new ScriptedModel({ script: (request) => `echo ${request.prompt}` });
  const events: CallEvent[] = [];
  const stats = new RunStats();
  const model = wrapModel(inner, { cache, stats, onCall: (e) => events.push(e) });

  const first = await model.generate({ prompt: "a b", temperature: 0 });
  const second = await model.generate({ temperature: 0, prompt: "a b" });
  assert.equal(second.generations[0]?.text, "echo a b");
  assert.equal(first.meta?.cached, undefined);
  assert.equal(second.meta?.cached, true);
  await model.generate({ prompt: "a b", seed: 7, temperature: 0.8 });
  await model.generate({ prompt: "a b", seed: 7, temperature: 0.8 });
  await model.generate({ prompt: "a b", temperature: 0.8 });
  await model.generate({ prompt: "a b", temperature: 0.8 });
  assert.equal(inner.calls.length, 4, "one call per greedy/seeded request, two sampled calls");
  assert.equal(stats.cacheHits, 2);
  assert.deepEqual(
    events.map((e) => e.cached),
    [false, true, false, true, false, false],
  );
  assert.equal(stats.inputTokens, 2 * 4, "cache hits spend no tokens");

  const reopened = new CallCache(cache.path);
  cache.close();
  const again = wrapModel(inner, { cache: reopened });
  assert.equal((await again.generate({ prompt: "a b", temperature: 0 })).meta?.cached, true);
  assert.equal(inner.calls.length, 4);
  reopened.close();
});

test("cacheAll caches sampled calls; errors are never cached", async () => {
  const cache = tempCache();
  let fail = true;
  const inner = new ScriptedModel({
    script: () => {
      if (fail) throw new ModelCallError("server said 500", { status: 500, retries: 2 });
      return "ok";
    },
  });
  const events: CallEvent[] = [];
  const model = wrapModel(inner, { cache, cacheAll: true, onCall: (e) => events.push(e) });
  await assert.rejects(model.generate({ prompt: "x", temperature: 1 }), /server said 500/);
  assert.equal(events[0]?.error, "server said 500");
  assert.equal(events[0]?.retries, 2);
  fail = false;
  assert.equal((await model.generate({ prompt: "x", temperature: 1 })).meta?.cached, undefined);
  assert.equal((await model.generate({ prompt: "x", temperature: 1 })).meta?.cached, true);
  assert.equal(cache.size(), 1);
  cache.close();
});

test("sampling defaults fill unset fields and take part in the cache key", async () => {
  const inner = new ScriptedModel({ script: () => "t" });
  const model = wrapModel(inner, { defaults: { temperature: 0, maxTokens: 5 } });
  await model.generate({ prompt: "p", maxTokens: 9 });
  assert.equal(inner.calls[0]?.temperature, 0);
  assert.equal(inner.calls[0]?.maxTokens, 9);
});

test("the token budget stops calls once reached and keeps capabilities", async () => {
  const inner = new ScriptedModel({ script: () => "one two three" });
  const budget = new TokenBudget(10);
  const model = wrapModel(inner, { budget });
  assert.equal(model.capabilities, inner.capabilities);
  const plain = wrapModel({
    id: "plain",
    provider: "test",
    capabilities: inner.capabilities,
    generate: (r) => inner.generate(r),
  });
  assert.equal(plain.score, undefined, "no score when the inner model has none");
  await model.generate({ prompt: "a b" }); // 2 in + 3 out
  await model.generate({ prompt: "a b" }); // 10 used
  await assert.rejects(model.generate({ prompt: "a b" }), BudgetExceededError);
  assert.equal(budget.used, 10);
});

test("identical concurrent calls share one inner call", async () => {
  const cache = tempCache();
  const inner = new ScriptedModel({ script: () => "same" });
  const model = wrapModel(inner, { cache });
  const results = await Promise.all(
    Array.from({ length: 5 }, () => model.generate({ prompt: "q", temperature: 0 })),
  );
  assert.equal(inner.calls.length, 1);
  assert.ok(results.every((r) => r.generations[0]?.text === "same"));
  cache.close();
});

test("score calls are always cached and keep the inner model's answer", async () => {
  const cache = tempCache();
  const inner = new ScriptedModel({
    script: () => "unused",
    score: (request) =>
      request.continuation.split(" ").map((token, i) => ({ token, logprob: -1 - i, top: [] })),
  });
  const stats = new RunStats();
  const model = wrapModel(inner, { cache, stats });
  const request = { prompt: "2+2=", continuation: "four it is" };
  const first = await model.score!(request);
  const second = await model.score!({ ...request });
  assert.equal(first.total, -6);
  assert.deepEqual(second.tokens, first.tokens);
  assert.equal(second.meta?.cached, true);
  assert.equal(inner.scoreCalls.length, 1);
  assert.equal(stats.cacheHits, 1);
  cache.close();
});

test("cacheScores false: scores go to the model every time while generations stay cached", async () => {
  const cache = tempCache();
  const inner = new ScriptedModel({
    script: () => "same",
    score: (request) =>
      request.continuation.split(" ").map((token) => ({ token, logprob: -1, top: [] })),
  });
  const model = wrapModel(inner, { cache, cacheScores: false });
  const request = { prompt: "2+2=", continuation: "four" };
  await model.score!(request);
  const again = await model.score!({ ...request });
  assert.equal(inner.scoreCalls.length, 2);
  assert.notEqual(again.meta?.cached, true);
  await model.generate({ prompt: "q", temperature: 0 });
  await model.generate({ prompt: "q", temperature: 0 });
  assert.equal(inner.calls.length, 1);
  cache.close();
});
