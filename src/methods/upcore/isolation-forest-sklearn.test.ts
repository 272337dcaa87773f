import assert from "node:assert/strict";
import { test } from "node:test";
import {
  plantedOutliers,
  runSklearn,
  sklearnMissing,
  sklearnPython,
} from "../../../test/support/sklearn.ts";
import { isolationForestOutliers } from "./isolation-forest.ts";

/**
 * Agreement with scikit-learn's IsolationForest (Debian's python3-sklearn) on 500 points with
 * planted outliers. Skips, saying so, where scikit-learn is not installed.
 */
const sklearnScript = `
import json, sys
import numpy as np
from sklearn.ensemble import IsolationForest
points = np.array(json.load(sys.stdin))
labels = IsolationForest(random_state=42, contamination=0.1).fit_predict(points)
print(json.dumps([int(i) for i in np.where(labels == -1)[0]]))
`;

test("pruned set overlaps scikit-learn's by at least 90%", {
  skip: sklearnPython ? false : sklearnMissing,
}, (t) => {
  const points = plantedOutliers();
  const ours = isolationForestOutliers(points, { contamination: 0.1, seed: 42 }).outlier;
  const theirs = new Set(runSklearn<number[]>(sklearnScript, points));
  const ourSet = new Set(ours.flatMap((o, i) => (o ? [i] : [])));
  const shared = [...ourSet].filter((i) => theirs.has(i)).length;
  const overlap = shared / Math.max(ourSet.size, theirs.size);
  assert.equal(ourSet.size, theirs.size, "both prune by the same percentile rule");
  assert.ok(overlap >= 0.9, `overlap ${overlap} (${shared} of ${theirs.size})`);
  t.diagnostic(`overlap with scikit-learn: ${shared} of ${theirs.size}`);
});
