import assert from "node:assert/strict";
import { test } from "node:test";
import { bootstrapMean } from "./bootstrap.ts";
import { hierarchicalBootstrapMean } from "./hierarchical-bootstrap.ts";

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
