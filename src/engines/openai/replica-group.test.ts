import assert from "node:assert/strict";
import { test } from "node:test";
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
