import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { SeededRandom } from "../../math/seeded-random.ts";
import { isolationForestOutliers } from "./isolation-forest.ts";

/**
 * Agreement with scikit-learn's IsolationForest (Debian's python3-sklearn) on 500 points with
 * planted outliers. Skips, saying so, where scikit-learn is not installed.
 */
const python = ["/usr/bin/python3", "python3"].find(
  (bin) => spawnSync(bin, ["-c", "import sklearn"], { stdio: "ignore" }).status === 0,
);

const sklearnScript = `
import json, sys
import numpy as np
from sklearn.ensemble import IsolationForest
points = np.array(json.load(sys.stdin))
labels = IsolationForest(random_state=42, contamination=0.1).fit_predict(points)
print(json.dumps([int(i) for i in np.where(labels == -1)[0]]))
`;

test("pruned set overlaps scikit-learn's by at least 90%", {
  skip: python ? false : "scikit-learn not installed (apt-get install python3-sklearn)",
}, (t) => {
  const rng = new SeededRandom(2024);
  const dim = 16;
  const points: number[][] = [];
  for (let i = 0; i < 450; i++) points.push(Array.from({ length: dim }, () => rng.normal()));
  // 50 planted outliers at varying distances: some clear, some borderline
  for (let i = 0; i < 50; i++) {
    const radius = 1.5 + (i % 10) * 0.4;
    points.push(
      Array.from({ length: dim }, () => rng.normal() + radius * (rng.next() < 0.5 ? -1 : 1)),
    );
  }
  const ours = isolationForestOutliers(points, { contamination: 0.1, seed: 42 }).outlier;
  const run = spawnSync(python!, ["-c", sklearnScript], {
    input: JSON.stringify(points),
    encoding: "utf8",
  });
  assert.equal(run.status, 0, run.stderr);
  const theirs = new Set<number>(JSON.parse(run.stdout) as number[]);
  const ourSet = new Set(ours.flatMap((o, i) => (o ? [i] : [])));
  const shared = [...ourSet].filter((i) => theirs.has(i)).length;
  const overlap = shared / Math.max(ourSet.size, theirs.size);
  assert.equal(ourSet.size, theirs.size, "both prune by the same percentile rule");
  assert.ok(overlap >= 0.9, `overlap ${overlap} (${shared} of ${theirs.size})`);
  t.diagnostic(`overlap with scikit-learn: ${shared} of ${theirs.size}`);
});
