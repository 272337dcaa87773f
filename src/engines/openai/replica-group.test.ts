import assert from "node:assert/strict";
import { test } from "node:test";
import { EndpointClient, type EndpointRequest } from "./endpoint-client.ts";
import { pairHash, rendezvousOrder } from "./rendezvous.ts";
import { Replica } from "./replica.ts";
import { ReplicaGroup } from "./replica-group.ts";

const adaptive = { min: 1, start: 4, max: 4, decrease: 0.5, cooldownMs: 0 };
const eject = { failures: 2, cooldownMs: 50 };

function group(n: number, probe: (r: Replica) => Promise<boolean> = async () => true) {
  const replicas = Array.from(
    { length: n },
    (_, i) => new Replica(`http://r${i}/v1`, adaptive, eject),
  );
  const g = new ReplicaGroup(replicas, { strategy: "affinity", maxLoadFactor: 1.25 }, probe);
  return { replicas, g };
}

test("rendezvous order does not depend on the list's order, and a removed replica moves only its keys", () => {
  const ids = ["a", "b", "c", "d"];
  const keys = Array.from({ length: 2000 }, (_, i) => `item-${i}`);
  const first = (list: string[], key: string) => rendezvousOrder(key, list, (x) => x)[0];
  const counts = new Map<string, number>();
  let moved = 0;
  for (const key of keys) {
    const owner = first(ids, key)!;
    assert.equal(first([...ids].reverse(), key), owner);
    counts.set(owner, (counts.get(owner) ?? 0) + 1);
    const without = first(
      ids.filter((x) => x !== "c"),
      key,
    );
    if (owner !== "c" && without !== owner) moved++;
  }
  assert.equal(moved, 0);
  for (const id of ids)
    assert.ok(Math.abs(counts.get(id)! - 500) < 100, `${id}: ${counts.get(id)}`);
  assert.notEqual(pairHash("k", "a"), pairHash("k", "b"));
});

test("a key sticks to one replica until it holds more than its bounded share", async () => {
  const { replicas, g } = group(3);
  const home = g.choose("item-7", new Set(), 0)!;
  const held: Replica[] = [];
  for (let i = 0; i < 4; i++) held.push(await g.acquire("item-7", new Set()));
  assert.ok(
    held.every((r) => r === home),
    "free slots on the home replica are used",
  );
  // Full, and above 1.25x its share of the work: the key spills to its next replica.
  for (let i = 0; i < 2; i++) held.push(await g.acquire("item-7", new Set()));
  assert.ok(
    held.some((r) => r !== home),
    "spilled over once the home replica was full",
  );
  assert.ok(home.active <= 4);
  for (const r of held) r.release();
  assert.deepEqual(
    replicas.map((r) => r.active),
    [0, 0, 0],
  );
});

test("a paused replica's queue moves elsewhere; with all paused, calls wait for the first to reopen", async () => {
  const a = new Replica("http://a/v1", adaptive, eject);
  const b = new Replica("http://b/v1", adaptive, eject);
  // A loose bound, so a key queues on its own replica rather than spilling.
  const g = new ReplicaGroup(
    [a, b],
    { strategy: "affinity", maxLoadFactor: 100 },
    async () => true,
  );
  const key = ["k1", "k2", "k3", "k4", "k5", "k6"].find((k) => g.choose(k, new Set(), 0) === a)!;
  const slots = await Promise.all(Array.from({ length: 4 }, () => g.acquire(key, new Set())));
  assert.ok(slots.every((r) => r === a));
  const waiting = g.acquire(key, new Set());
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(a.load, 5, "queued on a, its full home replica");
  a.overloaded(performance.now(), 10_000);
  assert.equal(await waiting, b, "moved to b when a paused");
  b.overloaded(performance.now(), 60);
  const started = performance.now();
  const parked = await g.acquire(key, new Set());
  assert.equal(parked, b);
  assert.ok(performance.now() - started >= 50, "waited for b's pause to end");
  for (const r of [...slots, parked, b]) r.release();
  assert.equal(a.load + b.load, 0);
});

test("failures eject a replica; a due probe readmits it; with all ejected, all are tried", async () => {
  let healthy = false;
  const probed: string[] = [];
  const { replicas, g } = group(2, async (r) => {
    probed.push(r.baseURL);
    return healthy;
  });
  const [a, b] = replicas as [Replica, Replica];
  a.failed(0, false);
  assert.equal(a.ejected, false);
  a.failed(0, false);
  assert.equal(a.ejected, true);
  for (let i = 0; i < 5; i++) assert.equal(g.choose(`k${i}`, new Set(), 1), b);
  assert.equal(g.hasAlternative(new Set([b])), false);
  b.failed(0, true); // refused: ejected at once
  assert.ok(g.choose("k", new Set(), 2) !== undefined, "all ejected: try them anyway");
  assert.equal(g.hasAlternative(new Set([b])), true, "all ejected: a call failed on b goes to a");
  assert.equal(g.hasAlternative(new Set([a, b])), false);
  // After the cooldown a choice starts probes; an unhealthy answer keeps a out.
  g.choose("k", new Set(), performance.now() + 100);
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.ok(probed.includes(a.baseURL) && a.ejected);
  healthy = true;
  await a.probe(async () => true);
  assert.equal(a.ejected, false);
  assert.equal(g.choose("k", new Set(), performance.now()), a);
});

test("an aborted wait leaves the queue", async () => {
  const { replicas, g } = group(1);
  const held = await Promise.all(Array.from({ length: 4 }, () => g.acquire("k", new Set())));
  const controller = new AbortController();
  const waiting = g.acquire("k", new Set(), controller.signal);
  controller.abort(new Error("gave up"));
  await assert.rejects(waiting, /gave up/);
  for (const r of held) r.release();
  assert.equal(replicas[0]!.load, 0);
});

test("a call that timed out on every replica in rotation probes the ejected ones now and goes to the one readmitted", async () => {
  // A hangs on every call; B was ejected (by stalls, say) and is healthy, but its cooldown runs
  // for a minute, so only a probe made for this call can bring it back in time.
  const long = { failures: 3, cooldownMs: 60_000 };
  const a = new Replica("http://a.test/v1", adaptive, long);
  const b = new Replica("http://b.test/v1", adaptive, long);
  b.failed(performance.now(), true);
  const sent: string[] = [];
  const fetch: typeof globalThis.fetch = (input, init) => {
    const url = new URL(String(input));
    sent.push(`${init?.method ?? "GET"} ${url.host}${url.pathname}`);
    if (url.host === "a.test") {
      return new Promise((_, reject) =>
        init?.signal?.addEventListener("abort", () => reject(init.signal?.reason)),
      );
    }
    const body = url.pathname === "/health" ? "{}" : JSON.stringify({ answer: "from b" });
    return Promise.resolve(new Response(body, { status: 200 }));
  };
  const probe = async (r: Replica) => (await fetch(`${r.baseURL.replace(/\/v1$/, "")}/health`)).ok;
  const g = new ReplicaGroup([a, b], { strategy: "affinity", maxLoadFactor: 1.25 }, probe);
  const client = new EndpointClient({
    group: g,
    apiKey: undefined,
    timeoutMs: 30,
    retry: { maxRetries: 2, baseMs: 1, maxBackoffMs: 1, maxRetryAfterMs: 1 },
    overloadTimeoutMs: 5_000,
    routingKeyHeader: undefined,
    fetch,
  });
  const request = { method: "POST", path: "/chat/completions", body: {}, expected: "an answer" };
  const answer = await client.request(request as EndpointRequest);
  assert.deepEqual(answer.body, { answer: "from b" });
  assert.deepEqual(sent, [
    "POST a.test/v1/chat/completions",
    "GET b.test/health",
    "POST b.test/v1/chat/completions",
  ]);
  assert.equal(b.ejected, false);
});

test("the wait for a readmission keeps probing each cooldown and ends with the call's budget", async () => {
  const quick = { failures: 1, cooldownMs: 20 };
  const a = new Replica("http://a/v1", adaptive, quick);
  const b = new Replica("http://b/v1", adaptive, quick);
  b.failed(performance.now(), true);
  let probes = 0;
  let healthyAfter = 3;
  const g = new ReplicaGroup([a, b], { strategy: "affinity", maxLoadFactor: 1.25 }, async () => {
    probes++;
    return probes >= healthyAfter;
  });
  assert.equal(await g.awaitReadmission(new Set([a]), 5_000), "readmitted");
  assert.equal(probes, 3, "probed at once, then again after each failed probe's cooldown");
  assert.equal(g.choose("k", new Set([a]), performance.now()), b);
  assert.equal(await g.awaitReadmission(new Set([a]), 5_000), "readmitted", "b is in rotation");
  assert.equal(await g.awaitReadmission(new Set([a, b]), 5_000), "nothing-ejected");
  b.failed(performance.now(), true);
  healthyAfter = Number.POSITIVE_INFINITY;
  const started = performance.now();
  assert.equal(await g.awaitReadmission(new Set([a]), 100), "out-of-time");
  assert.ok(performance.now() - started >= 90, "waited out its budget");
  assert.ok(b.ejected, "nothing readmitted b without a passing probe");
  const controller = new AbortController();
  const waiting = g.awaitReadmission(new Set([a]), 5_000, controller.signal);
  controller.abort(new Error("gave up"));
  await assert.rejects(waiting, /gave up/);
});
