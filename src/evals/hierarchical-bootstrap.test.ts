import assert from "node:assert/strict";
import { test } from "node:test";
import { bootstrapMean } from "./bootstrap.ts";
import {
  hierarchicalBootstrapDifference,
  hierarchicalBootstrapMean,
} from "./hierarchical-bootstrap.ts";

test("the two-level interval is the mean of group means, and wider than items-only when groups disagree", () => {
  const groups = [
    Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? 0.2 : 0)),
    Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? 0.0 : -0.1)),
    Array.from({ length: 50 }, () => 0.3),
  ];
  const h = hierarchicalBootstrapMean(groups, { seed: 1 });
  assert.ok(Math.abs(h.mean - (0.1 - 0.05 + 0.3) / 3) < 1e-12);
  const flat = bootstrapMean(groups.flat(), { seed: 1, resamples: 2000 });
  assert.ok(
    h.high - h.low > 2 * (flat.high - flat.low),
    `${JSON.stringify(h)} vs ${JSON.stringify(flat)}`,
  );
  assert.ok(h.low <= h.mean && h.mean <= h.high);
  // identical groups of a constant: a point interval
  assert.deepEqual(
    hierarchicalBootstrapMean([
      [1, 1],
      [1, 1],
    ]),
    { mean: 1, low: 1, high: 1 },
  );
  assert.ok(Number.isNaN(hierarchicalBootstrapMean([]).mean));
});

test("the two-sample difference resamples seeds, then each sample: one seed is an unpaired item bootstrap, disagreeing seeds widen it", () => {
  const ones = (k: number, n: number) => Array.from({ length: n }, (_, i) => Number(i < k));
  const one = hierarchicalBootstrapDifference([{ a: ones(30, 40), b: ones(10, 40) }], { seed: 2 });
  assert.equal(one.mean, 0.5);
  assert.ok(one.low > 0.25 && one.high < 0.75, JSON.stringify(one));
  // Seeds with effects +0.5 and −0.1: pooled items would look decisive, seeds do not agree.
  const split = hierarchicalBootstrapDifference(
    [
      { a: ones(30, 40), b: ones(10, 40) },
      { a: ones(16, 40), b: ones(20, 40) },
    ],
    { seed: 2 },
  );
  assert.ok(Math.abs(split.mean - 0.2) < 1e-12);
  assert.ok(split.low < 0 && split.high > 0.4, JSON.stringify(split));
  // A group without one of its samples is left out; none at all is NaN.
  assert.equal(
    hierarchicalBootstrapDifference([
      { a: [1, 1], b: [0, 0] },
      { a: [], b: [1] },
    ]).mean,
    1,
  );
  assert.ok(Number.isNaN(hierarchicalBootstrapDifference([]).mean));
});
