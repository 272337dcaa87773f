/**
 * The scale design's T1–T3 (docs/scale.md) on 127.0.0.1: one model over three local replicas.
 * Each test builds its own servers and models, so replica state never leaks between tests.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  type OpenAITestServer,
  startOpenAITestServer,
} from "../../../test/support/openai-server.ts";
import {
  type LoggedAttempt,
  loggingFetch,
  runAll,
  runUntil,
} from "../../../test/support/replica-fleet.ts";
import { createOpenAIModel } from "./create-openai-model.ts";
import type { OpenAIModelOptions } from "./openai-model-options.ts";

const itemIds = (n: number) => Array.from({ length: n }, (_, i) => `item-${i}`);
const ask = (id: string, call: number) => [
  { role: "user" as const, content: `${id} call ${call}` },
];
const posts = (server: OpenAITestServer) => server.requests.filter((r) => r.method === "POST");
const portOf = (server: OpenAITestServer) => Number(new URL(server.url).port);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

function model(servers: OpenAITestServer[], options: Partial<OpenAIModelOptions> = {}) {
  return createOpenAIModel({
    baseURL: servers.map((s) => s.url),
    model: "test-model",
    flavor: "vllm",
    ...options,
  });
}

/** A two-call method: the second call continues from the first, as refine methods do. */
async function twoCalls(m: ReturnType<typeof model>, id: string) {
  const first = await m.generate({ messages: ask(id, 1), temperature: 0, routingKey: id });
  const second = await m.generate({
    messages: [
      ...ask(id, 1),
      { role: "assistant", content: first.generations[0]!.text },
      ...ask(id, 2),
    ],
    temperature: 0,
    routingKey: id,
  });
  return second.generations[0]!.text;
}

test("T1: calls spread evenly, an item's calls stay on one replica, no replica above its cap", async () => {
  const servers = await Promise.all([1, 2, 3].map(() => startOpenAITestServer({ delayMs: 20 })));
  try {
    const m = model(servers, { concurrency: 16 });
    const ids = itemIds(3000);
    const outcomes = await runAll(ids, 32, (id) => twoCalls(m, id));
    assert.equal(outcomes.size, 3000);
    assert.equal([...outcomes.values()].filter((o) => !o.ok).length, 0);
    const total = servers.reduce((sum, s) => sum + posts(s).length, 0);
    assert.equal(total, 6000);
    for (const server of servers) {
      const share = posts(server).length / total;
      assert.ok(Math.abs(share - 1 / 3) <= 0.08, `share ${share.toFixed(3)}`);
      assert.ok(server.maxInFlight <= 16, `maxInFlight ${server.maxInFlight}`);
    }
    const homes = new Map<string, Set<number>>();
    servers.forEach((server, s) => {
      for (const r of posts(server)) {
        const key = String(r.headers["x-smg-routing-key"]);
        assert.ok(String(r.body.messages[0].content).startsWith(`${key} `), "header = item id");
        homes.set(key, (homes.get(key) ?? new Set()).add(s));
      }
    });
    const together = [...homes.values()].filter((set) => set.size === 1).length;
    assert.ok(together / ids.length >= 0.95, `${together} of ${ids.length} items on one replica`);
  } finally {
    await Promise.all(servers.map((s) => s.close()));
  }
});

test("T2: a closed replica is ejected at once, and readmitted after /health once it is back", async () => {
  const servers = await Promise.all([1, 2, 3].map(() => startOpenAITestServer({ delayMs: 20 })));
  const b = servers[1]!;
  const bPort = portOf(b);
  const bOrigin = new URL(b.url).origin;
  const log: LoggedAttempt[] = [];
  let restarted: OpenAITestServer | undefined;
  try {
    const m = model(servers, {
      concurrency: 16,
      fetch: loggingFetch(log),
      balance: { eject: { cooldownMs: 100 } },
    });
    // Phases by the clock: 1 s of normal work, B down for 2.5 s, then 2.5 s with B back.
    const t0 = performance.now();
    const closedAt = t0 + 1000;
    const reopenedAt = closedAt + 2500;
    const endAt = reopenedAt + 2500;
    const phases = (async () => {
      await sleep(closedAt - performance.now());
      await b.close();
      await sleep(reopenedAt - performance.now());
      restarted = await startOpenAITestServer({ delayMs: 20, port: bPort });
    })();
    const outcomes = await runUntil(
      () => performance.now() > endAt,
      32,
      (id) => twoCalls(m, id),
    );
    await phases;
    assert.ok(outcomes.size > 100);
    assert.equal([...outcomes.values()].filter((o) => !o.ok).length, 0, "no call failed");
    const toB = log.filter((a) => a.origin === bOrigin && a.method === "POST");
    const firstRefusal = toB.find((a) => a.outcome === "ECONNREFUSED");
    assert.ok(firstRefusal, "B refused a call after it closed");
    const lateWhileDown = toB.filter(
      (a) => a.sent > firstRefusal.sent + 1000 && a.sent < reopenedAt,
    );
    assert.equal(lateWhileDown.length, 0, "no call went to B more than 1 s after it refused");
    // Back on its port: nothing reaches it before a /health probe answered 200.
    const healthOk = log.find(
      (a) => a.origin === bOrigin && a.path === "/health" && a.outcome === 200,
    );
    assert.ok(healthOk && healthOk.sent >= reopenedAt, "B was probed at /health once back");
    const firstPost = toB.find((a) => a.sent > reopenedAt);
    assert.ok(firstPost && firstPost.sent >= healthOk.ended, "readmitted only after /health");
    assert.ok(restarted && posts(restarted).length > 0);
    const rest = log.filter((a) => a.method === "POST" && a.sent > healthOk.ended);
    const share = rest.filter((a) => a.origin === bOrigin).length / rest.length;
    assert.ok(share >= 0.1, `B served ${(share * 100).toFixed(1)}% of the rest`);
  } finally {
    await Promise.all([servers[0]!.close(), servers[2]!.close(), restarted?.close()]);
  }
});

test("T3: 429 and 503 are backpressure: the replica gets less, then recovers; nothing fails", async () => {
  // C answers 429 (Retry-After: 1) from 0.5 s to 5.5 s; the run goes on 3 s after that.
  const t0 = performance.now();
  const tooManyFrom = t0 + 500;
  const tooManyUntil = tooManyFrom + 5000;
  const endAt = tooManyUntil + 3000;
  const servers = await Promise.all(
    [1, 2, 3].map((n) =>
      startOpenAITestServer({
        delayMs: 20,
        pickFault: () => {
          const now = performance.now();
          return n === 3 && now >= tooManyFrom && now < tooManyUntil
            ? { kind: "status", code: 429, retryAfter: "1" }
            : undefined;
        },
      }),
    ),
  );
  const c = servers[2]!;
  try {
    const m = model(servers, { concurrency: 16, adaptive: { min: 4, cooldownMs: 300 } });
    const samples: Array<{ t: number; inFlight: number }> = [];
    const sampler = setInterval(
      () => samples.push({ t: performance.now(), inFlight: c.inFlight }),
      25,
    );
    const outcomes = await runUntil(
      () => performance.now() > endAt,
      48,
      (id) => twoCalls(m, id),
    );
    clearInterval(sampler);
    assert.equal([...outcomes.values()].filter((o) => !o.ok).length, 0, "no call failed");
    const during = samples.filter((s) => s.t > tooManyFrom + 1000 && s.t < tooManyUntil);
    assert.ok(during.length > 0 && during.every((s) => s.inFlight < 16), "C got less within 1 s");
    const after = samples.filter((s) => s.t > tooManyUntil + 1500);
    assert.ok(Math.max(...after.map((s) => s.inFlight)) >= 8, "C took work again after");
    for (const server of servers) {
      for (const r of posts(server)) {
        const key = r.headers["x-smg-routing-key"];
        assert.ok(
          String(r.body.messages[0].content).startsWith(`${key} `),
          "routing key = item id",
        );
      }
    }
  } finally {
    await Promise.all(servers.map((s) => s.close()));
  }

  // A router in front of all replicas answers 503 (vLLM admission control) for 3 s: calls wait.
  let unavailableUntil = 0;
  const router = await startOpenAITestServer({
    delayMs: 5,
    pickFault: () =>
      performance.now() < unavailableUntil ? { kind: "status", code: 503 } : undefined,
  });
  try {
    const m = model([router], { retryBaseMs: 100, maxBackoffMs: 1000 });
    unavailableUntil = performance.now() + 3000;
    const started = performance.now();
    const outcomes = await runAll(itemIds(200), 16, (id) => twoCalls(m, id));
    assert.equal([...outcomes.values()].filter((o) => !o.ok).length, 0, "no call failed");
    assert.ok(performance.now() - started >= 2900, "calls waited out the 503s");
    assert.ok(posts(router).every((r) => typeof r.headers["x-smg-routing-key"] === "string"));
  } finally {
    await router.close();
  }
});
