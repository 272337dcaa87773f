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
  let restarting: Promise<void> | undefined;
  let closing: Promise<void> | undefined;
  let reopenedAt = Number.POSITIVE_INFINITY;
  try {
    const m = model(servers, {
      concurrency: 16,
      fetch: loggingFetch(log),
      balance: { eject: { cooldownMs: 100 } },
    });
    // Phases by items finished, not by the clock, so a stalled process cannot skip one: 300
    // items of normal work, B down for the next 600, then 600 more once /health readmitted it.
    let finished = 0;
    // An attempt is logged when sent and its outcome filled in when it ends, so B's probes are
    // kept and looked at again until one has answered 200 (a probe still in flight when the log
    // was scanned past it would otherwise be missed, and B's readmission with it).
    const probesOfB: LoggedAttempt[] = [];
    let healthOk: LoggedAttempt | undefined;
    let scanned = 0;
    const readmitted = () => {
      for (; scanned < log.length; scanned++) {
        const a = log[scanned]!;
        if (a.origin === bOrigin && a.path === "/health") probesOfB.push(a);
      }
      healthOk ??= probesOfB.find((a) => a.outcome === 200);
      return healthOk;
    };
    let finishedAtReadmission: number | undefined;
    const outcomes = await runUntil(
      () => {
        if (finishedAtReadmission === undefined && readmitted()) finishedAtReadmission = finished;
        // 5000 items: the run stops even if B never comes back (the asserts below then say so)
        return (
          (finishedAtReadmission !== undefined && finished >= finishedAtReadmission + 600) ||
          finished >= 5000
        );
      },
      32,
      async (id) => {
        try {
          return await twoCalls(m, id);
        } finally {
          finished++;
          if (finished === 300) closing = b.close();
          if (finished === 900) {
            restarting = (async () => {
              await closing;
              reopenedAt = performance.now();
              restarted = await startOpenAITestServer({ delayMs: 20, port: bPort });
            })();
          }
        }
      },
    );
    await restarting;
    assert.equal([...outcomes.values()].filter((o) => !o.ok).length, 0, "no call failed");
    const toB = log.filter((a) => a.origin === bOrigin && a.method === "POST");
    const firstRefusal = toB.find((a) => a.outcome === "ECONNREFUSED");
    assert.ok(firstRefusal, "B refused a call after it closed");
    // Once B refused, no call is placed on it while it is down: the only later attempts are the
    // calls it held when it closed (at most its 16 slots), each trying once more and refused.
    const lateWhileDown = toB.filter((a) => a.sent > firstRefusal.ended && a.sent < reopenedAt);
    assert.ok(lateWhileDown.length <= 16, `${lateWhileDown.length} calls went to B while down`);
    assert.ok(
      lateWhileDown.every((a) => a.outcome === "ECONNREFUSED"),
      "late attempts were refused",
    );
    // Back on its port: nothing reaches it before a /health probe answered 200.
    const probeOk = readmitted();
    assert.ok(probeOk && probeOk.sent >= reopenedAt, "B was probed at /health once back");
    const firstPost = toB.find((a) => a.sent > reopenedAt);
    assert.ok(firstPost && firstPost.sent >= probeOk.ended, "readmitted only after /health");
    assert.ok(restarted && posts(restarted).length > 0);
    const rest = log.filter((a) => a.method === "POST" && a.sent > probeOk.ended);
    const share = rest.filter((a) => a.origin === bOrigin).length / rest.length;
    assert.ok(share >= 0.1, `B served ${(share * 100).toFixed(1)}% of the rest`);
  } finally {
    await restarting;
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
    const samples: Array<{ t: number; inFlight: number }> = [];
    const sampler = setInterval(
      () => samples.push({ t: performance.now(), inFlight: c.inFlight }),
      25,
    );
    // The clock sets the 429 window (Retry-After is time); the run ends only once C also
    // answered 600 calls after it, so a stalled process still samples its recovery.
    let okFromCAfter = 0;
    const cOrigin = new URL(c.url).origin;
    const fetchCounting: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      const late = performance.now() > tooManyUntil;
      if (late && response.status === 200 && new URL(String(input)).origin === cOrigin) {
        okFromCAfter++;
      }
      return response;
    };
    const m = model(servers, {
      concurrency: 16,
      adaptive: { min: 4, cooldownMs: 300 },
      fetch: fetchCounting,
    });
    const outcomes = await runUntil(
      () => performance.now() > endAt && okFromCAfter >= 600,
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

test("a dropped connection is tried once more on its replica; a refused one fails over at once", async () => {
  const servers = await Promise.all([1, 2, 3].map(() => startOpenAITestServer({ delayMs: 1 })));
  const log: LoggedAttempt[] = [];
  try {
    const m = model(servers, { fetch: loggingFetch(log) });
    const call = (id: string) =>
      m.generate({ messages: ask(id, 1), temperature: 0, routingKey: id });
    await call("warm");
    const home = log[0]!.origin;
    const origins = (from: number) =>
      log
        .slice(from)
        .filter((a) => a.method === "POST")
        .map((a) => [a.origin, a.outcome] as const);

    // One drop (what a stale keep-alive socket gives): answered by the same replica.
    for (const s of servers) s.setFaults({ reset: { times: 1 } });
    let from = log.length;
    assert.equal((await call("warm")).meta?.retries, 1);
    assert.deepEqual(
      origins(from).map(([o]) => o),
      [home, home],
    );
    assert.equal(log.at(-1)!.outcome, 200);

    // Two drops on its replica (the others answer): that replica failed the call, which moves
    // to another one. (Were every replica to drop twice, the call would go round all three.)
    const homeServer = servers.find((s) => new URL(s.url).origin === home)!;
    for (const s of servers) s.setFaults(s === homeServer ? { reset: { times: 2 } } : {});
    from = log.length;
    await call("warm");
    const two = origins(from);
    assert.equal(two.length, 3);
    assert.deepEqual([two[0]![0], two[1]![0]], [home, home]);
    assert.notEqual(two[2]![0], home);
    assert.equal(two[2]![1], 200);

    // Nothing listening: refused once, then straight to another replica.
    for (const s of servers) s.setFaults({});
    await homeServer.close();
    from = log.length;
    await call("warm");
    const refused = origins(from);
    assert.deepEqual(refused[0], [home, "ECONNREFUSED"]);
    assert.equal(refused.filter(([o]) => o === home).length, 1);
    assert.equal(refused.at(-1)![1], 200);
  } finally {
    await Promise.all(servers.map((s) => s.close().catch(() => {})));
  }
});
