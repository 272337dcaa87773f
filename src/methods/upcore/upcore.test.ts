import assert from "node:assert/strict";
import { test } from "node:test";
import { SeededRandom } from "../../math/seeded-random.ts";
import { deletionUtilityAuc } from "./deletion-utility-auc.ts";
import { averagePathLength, isolationForestOutliers, percentile } from "./isolation-forest.ts";

const close = (a: number, b: number, tol = 1e-6) =>
  assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

test("spec §8: AUC on the hand-made curves", () => {
  const monotone = [
    { forgetRouge: 0.9, utility: 0.8 },
    { forgetRouge: 0.6, utility: 0.75 },
    { forgetRouge: 0.3, utility: 0.6 },
    { forgetRouge: 0.1, utility: 0.4 },
  ];
  close(deletionUtilityAuc(monotone), 0.535);
  const shuffled = [
    { forgetRouge: 0.9, utility: 0.8 },
    { forgetRouge: 0.5, utility: 0.7 },
    { forgetRouge: 0.6, utility: 0.72 },
    { forgetRouge: 0.2, utility: 0.5 },
  ];
  close(deletionUtilityAuc(shuffled), 0.479);
});

test("c(n) and numpy-style percentile", () => {
  assert.equal(averagePathLength(1), 0);
  assert.equal(averagePathLength(2), 1);
  close(averagePathLength(256), 2 * (Math.log(255) + 0.5772156649) - (2 * 255) / 256);
  close(percentile([1, 2, 3, 4], 10), 1.3);
});

test("spec §8: pruning counts follow the percentile rule", () => {
  const rng = new SeededRandom(4);
  const expected: Record<number, number> = { 452: 46, 192: 20, 283: 29, 101: 10 };
  for (const [n, pruned] of Object.entries(expected)) {
    const points = Array.from({ length: Number(n) }, () =>
      Float64Array.from({ length: 8 }, () => rng.normal()),
    );
    const { outlier } = isolationForestOutliers(points, { contamination: 0.1, seed: 42 });
    assert.equal(outlier.filter(Boolean).length, pruned, `n = ${n}`);
  }
});

test("planted outliers are found", () => {
  const rng = new SeededRandom(9);
  const inliers = Array.from({ length: 450 }, () =>
    Float64Array.from({ length: 6 }, () => rng.normal()),
  );
  const planted = Array.from({ length: 50 }, () =>
    Float64Array.from({ length: 6 }, () => 6 + rng.normal()),
  );
  const { outlier } = isolationForestOutliers([...inliers, ...planted], {
    contamination: 0.1,
    seed: 42,
  });
  const caught = outlier.slice(450).filter(Boolean).length;
  assert.ok(caught >= 48, `only ${caught} of 50 planted outliers pruned`);
});
