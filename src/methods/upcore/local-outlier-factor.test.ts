import assert from "node:assert/strict";
import { test } from "node:test";
import {
  plantedOutliers,
  runSklearn,
  sklearnMissing,
  sklearnPython,
} from "../../../test/support/sklearn.ts";
import { SeededRandom } from "../../math/seeded-random.ts";
import { localOutlierFactorOutliers, negativeOutlierFactor } from "./local-outlier-factor.ts";

const close = (a: number, b: number, tol = 1e-6) =>
  assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

test("LOF by hand: 1-D points 0, 1, 2, 10 with k = 2", () => {
  // k-distances 2, 1, 2, 9; lrd = 1/1.5, 1/2, 1/1.5, 1/8.5;
  // LOF(0) = ((1/2 + 1/1.5)/2)/(1/1.5) = 0.875, LOF(1) = (1/1.5)/(1/2) = 4/3,
  // LOF(10) = ((1/1.5 + 1/2)/2)·8.5 = 4.958333 (scikit-learn prints the same).
  const nof = negativeOutlierFactor([[0], [1], [2], [10]], { neighbors: 2 });
  close(nof[0]!, -0.875);
  close(nof[1]!, -4 / 3);
  close(nof[2]!, -0.875);
  close(nof[3]!, -4.958333333);
});

test("LOF prunes by the contamination percentile (spec counts)", () => {
  const rng = new SeededRandom(4);
  for (const [n, pruned] of [
    [452, 46],
    [101, 10],
  ] as const) {
    const points = Array.from({ length: n }, () =>
      Float64Array.from({ length: 8 }, () => rng.normal()),
    );
    const { outlier } = localOutlierFactorOutliers(points, { contamination: 0.1 });
    assert.equal(outlier.filter(Boolean).length, pruned, `n = ${n}`);
  }
});

const sklearnScript = `
import json, sys
import numpy as np
from sklearn.neighbors import LocalOutlierFactor
points = np.array(json.load(sys.stdin))
lof = LocalOutlierFactor(n_neighbors=20, contamination=0.1)
labels = lof.fit_predict(points)
print(json.dumps({"pruned": [int(i) for i in np.where(labels == -1)[0]],
                  "nof": lof.negative_outlier_factor_.tolist(), "offset": float(lof.offset_)}))
`;

test("LOF equals scikit-learn's LocalOutlierFactor on the planted-outlier fixture", {
  skip: sklearnPython ? false : sklearnMissing,
}, (t) => {
  const points = plantedOutliers();
  const ours = localOutlierFactorOutliers(points, { contamination: 0.1 });
  const theirs = runSklearn<{ pruned: number[]; nof: number[]; offset: number }>(
    sklearnScript,
    points,
  );
  // Deterministic algorithm: the scores agree to rounding, so the pruned sets are identical.
  let maxDiff = 0;
  theirs.nof.forEach((v, i) => {
    maxDiff = Math.max(maxDiff, Math.abs(v - ours.scores[i]!));
  });
  assert.ok(maxDiff < 1e-9, `max |Δ negative_outlier_factor_| = ${maxDiff}`);
  close(ours.threshold, theirs.offset, 1e-9);
  assert.deepEqual(
    ours.outlier.flatMap((o, i) => (o ? [i] : [])),
    theirs.pruned,
  );
  t.diagnostic(`identical pruned sets (${theirs.pruned.length}), max score diff ${maxDiff}`);
});
