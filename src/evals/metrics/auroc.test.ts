import assert from "node:assert/strict";
import { test } from "node:test";
import { auroc, aurocInterval } from "./auroc.ts";

test("auroc: perfect, reversed, chance and ties", () => {
  assert.equal(auroc([3, 4, 5], [0, 1, 2]), 1);
  assert.equal(auroc([0, 1], [2, 3]), 0);
  assert.equal(auroc([1, 1], [1, 1]), 0.5);
  // One of four pairs is reversed, one tied: (2 + 0.5) / 4.
  assert.equal(auroc([2, 1], [1, 0]), (3 + 0.5) / 4);
  assert.ok(Number.isNaN(auroc([], [1])));
});

test("auroc equals the pairwise count on random scores", () => {
  const pos = [0.3, 0.9, 0.5, 0.5, 0.1, 0.7];
  const neg = [0.2, 0.5, 0.4, 0.05];
  let wins = 0;
  for (const p of pos) for (const n of neg) wins += p > n ? 1 : p === n ? 0.5 : 0;
  assert.ok(Math.abs(auroc(pos, neg) - wins / (pos.length * neg.length)) < 1e-12);
});

test("aurocInterval: the point is the pooled AUROC; the interval brackets it and narrows with data", () => {
  const cluster = (i: number) =>
    Array.from({ length: 4 }, (_, j) => ({
      score: ((i * 7 + j * 3) % 10) / 10 + (j < 2 ? 0.3 : 0),
      positive: j < 2,
    }));
  const small = Array.from({ length: 10 }, (_, i) => cluster(i));
  const big = Array.from({ length: 200 }, (_, i) => cluster(i));
  const a = aurocInterval(small, { seed: 1 });
  const flat = small.flat();
  assert.equal(
    a.mean,
    auroc(
      flat.filter((x) => x.positive).map((x) => x.score),
      flat.filter((x) => !x.positive).map((x) => x.score),
    ),
  );
  assert.ok(a.low <= a.mean && a.mean <= a.high, JSON.stringify(a));
  const b = aurocInterval(big, { seed: 1 });
  assert.ok(b.high - b.low < a.high - a.low, "more clusters, a narrower interval");
  assert.deepEqual(aurocInterval(small, { seed: 1 }), a, "seeded");
  const perfect = aurocInterval([
    [
      { score: 1, positive: true },
      { score: 0, positive: false },
    ],
  ]);
  assert.deepEqual(perfect, { mean: 1, low: 1, high: 1 });
});
