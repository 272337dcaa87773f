import assert from "node:assert/strict";
import { test } from "node:test";
import { SeededRandom } from "./seeded-random.ts";

test("same seed, same stream; different seed, different stream", () => {
  const a = new SeededRandom(7);
  const b = new SeededRandom(7);
  const c = new SeededRandom(8);
  const xs = Array.from({ length: 5 }, () => a.next());
  assert.deepEqual(
    xs,
    Array.from({ length: 5 }, () => b.next()),
  );
  assert.notDeepEqual(
    xs,
    Array.from({ length: 5 }, () => c.next()),
  );
});

test("normal has mean ~0 and variance ~1; samples are distinct", () => {
  const rng = new SeededRandom(1);
  const n = 20000;
  let sum = 0;
  let sq = 0;
  for (let i = 0; i < n; i++) {
    const x = rng.normal();
    sum += x;
    sq += x * x;
  }
  assert.ok(Math.abs(sum / n) < 0.03);
  assert.ok(Math.abs(sq / n - 1) < 0.05);
  const picked = rng.sampleIndices(10, 10);
  assert.equal(new Set(picked).size, 10);
});
