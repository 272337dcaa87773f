import assert from "node:assert/strict";
import { test } from "node:test";
import { mmd2 } from "./mmd.ts";
import { orthogonalityLoss } from "./orthogonality.ts";
import { gates, norm, type Steerer, steer } from "./steerer.ts";
import { batchPlan } from "./train.ts";

const close = (actual: number, expected: number, tol = 1e-6) =>
  assert.ok(Math.abs(actual - expected) <= tol, `${actual} != ${expected}`);

test("spec §8: gating and norm preservation", () => {
  const steerer: Steerer = {
    attributes: ["a", "b"],
    theta: [Float64Array.from([0, 0, 1, 0]), Float64Array.from([0, 0, 0, 2])],
    gateW: [Float64Array.from([0.5, 0, 0, 0]), Float64Array.from([0, -1, 0, 0])],
    gateB: [0, 1],
    multiplier: 1,
    normPreserve: true,
  };
  const h = [1, 2, 0, 0];
  const g = gates(steerer, h);
  close(g[0]!, 0.622459);
  close(g[1]!, 0.268941);
  const out = steer(steerer, h);
  for (const [i, v] of [0.9385, 1.877, 0.584178, 0.504803].entries()) close(out[i]!, v, 2e-6);
  close(norm(out), 2.236068);
  const raw = steer({ ...steerer, normPreserve: false }, h);
  for (const [i, v] of [1, 2, 0.622459, 0.537883].entries()) close(raw[i]!, v);
});

test("spec §8: MMD values", () => {
  const xs = [
    [0, 0],
    [1, 0],
  ];
  const ys = [
    [0, 1],
    [1, 1],
  ];
  close(mmd2(xs, ys, 2), 0.221199);
  close(mmd2(xs, ys, 1), 0.632121);
  close(mmd2(xs, xs, 2), 0);
});

test("spec §8: orthogonality and batch arithmetic", () => {
  const { value } = orthogonalityLoss([
    Float64Array.from([1, 0, 0]),
    Float64Array.from([1, 1, 0]),
    Float64Array.from([0, 0, 1]),
  ]);
  close(value, 0.5);
  assert.deepEqual(batchPlan(3, 96, 100), { perClass: 16, stepsPerEpoch: 7 });
});
