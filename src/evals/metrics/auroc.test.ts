import assert from "node:assert/strict";
import { test } from "node:test";
import { auroc } from "./auroc.ts";

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
