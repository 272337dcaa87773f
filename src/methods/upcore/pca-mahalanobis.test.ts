import assert from "node:assert/strict";
import { test } from "node:test";
import {
  plantedOutliers,
  runSklearn,
  sklearnMissing,
  sklearnPython,
} from "../../../test/support/sklearn.ts";
import { negativeMahalanobisPca2, pcaMahalanobisOutliers } from "./pca-mahalanobis.ts";

const close = (a: number, b: number, tol = 1e-6) =>
  assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

test("PCA(2) + Mahalanobis by hand: points already in a plane", () => {
  const points = [
    [1, 0, 0],
    [-1, 0, 0],
    [0, 2, 0],
    [0, -2, 0],
  ];
  // Components y and x with var_y = (4 + 4)/3 = 8/3, var_x = (1 + 1)/3 = 2/3 (n − 1 = 3):
  // d² of (±1, 0, 0) = 1/(2/3) = 1.5, of (0, ±2, 0) = 4/(8/3) = 1.5
  const s = negativeMahalanobisPca2(points);
  for (const v of s) close(v, -1.5);
});

const sklearnScript = `
import json, sys
import numpy as np
from sklearn.decomposition import PCA
points = np.array(json.load(sys.stdin))
z = PCA(n_components=2).fit_transform(points)
inv = np.linalg.inv(np.cov(z, rowvar=False))
d2 = np.einsum("ij,jk,ik->i", z, inv, z)
print(json.dumps(d2.tolist()))
`;

test("PCA(2) + Mahalanobis equals scikit-learn PCA + numpy's Mahalanobis on the planted fixture", {
  skip: sklearnPython ? false : sklearnMissing,
}, () => {
  const points = plantedOutliers();
  const ours = pcaMahalanobisOutliers(points, { contamination: 0.1 });
  assert.equal(ours.outlier.filter(Boolean).length, 50);
  const d2 = runSklearn<number[]>(sklearnScript, points);
  for (const [i, v] of d2.entries()) close(-ours.scores[i]!, v, 1e-6);
});
