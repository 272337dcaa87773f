import assert from "node:assert/strict";
import { test } from "node:test";
import { kMeans, nearestCentroid } from "./k-means.ts";
import { SeededRandom } from "./seeded-random.ts";

test("k-means finds three well-separated blobs, whatever the seed", () => {
  const rng = new SeededRandom(3);
  const centres = [
    [0, 0],
    [10, 0],
    [0, 10],
  ];
  const points = centres.flatMap(([x, y]) =>
    Array.from({ length: 30 }, () => [x! + rng.normal() * 0.5, y! + rng.normal() * 0.5]),
  );
  for (const seed of [1, 2, 42]) {
    const { assignment, centroids } = kMeans(points, 3, { seed });
    for (let b = 0; b < 3; b++) {
      const labels = new Set(assignment.slice(30 * b, 30 * b + 30));
      assert.equal(labels.size, 1, `blob ${b} split with seed ${seed}`);
    }
    assert.equal(new Set(assignment).size, 3);
    for (const [x, y] of centres) {
      const c = centroids[nearestCentroid([x!, y!], centroids)]!;
      assert.ok(Math.hypot(c[0]! - x!, c[1]! - y!) < 0.5);
    }
  }
});

test("k-means on a hand example: centroids are the cluster means; same seed, same result", () => {
  const points = [[0], [1], [2], [10], [11], [12]];
  const r = kMeans(points, 2, { seed: 7 });
  const means = r.centroids.map((c) => c[0]).sort((a, b) => a! - b!);
  assert.deepEqual(means, [1, 11]);
  assert.deepEqual(kMeans(points, 2, { seed: 7 }).assignment, r.assignment);
  assert.throws(() => kMeans(points, 7), /k = 7/);
});
