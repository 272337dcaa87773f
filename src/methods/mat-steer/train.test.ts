import assert from "node:assert/strict";
import { test } from "node:test";
import { SeededRandom } from "../../math/seeded-random.ts";
import { initSteerer, matSteerDefaults, matSteerLoss, type SteerBatch } from "./train.ts";

test("gradients of the full objective match central finite differences", () => {
  const rng = new SeededRandom(3);
  const dim = 5;
  const steerer = initSteerer(["a", "b"], dim, rng, { multiplier: 1, normPreserve: true });
  const vec = () => Float64Array.from({ length: dim }, () => rng.normal());
  const batch: SteerBatch = {
    positive: [
      [vec(), vec()],
      [vec(), vec()],
    ],
    negative: [
      [vec(), vec()],
      [vec(), vec()],
    ],
    target: [
      [vec(), vec()],
      [vec(), vec()],
    ],
  };
  const options = { ...matSteerDefaults, sigma: 1.5 };
  const { gradients } = matSteerLoss(steerer, batch, options);
  const lossAt = () => matSteerLoss(steerer, batch, options).losses.total;
  const eps = 1e-6;
  const check = (param: { [i: number]: number }, i: number, analytic: number) => {
    const saved = param[i]!;
    param[i] = saved + eps;
    const up = lossAt();
    param[i] = saved - eps;
    const down = lossAt();
    param[i] = saved;
    const numeric = (up - down) / (2 * eps);
    const rel =
      Math.abs(numeric - analytic) / Math.max(1e-8, Math.abs(numeric) + Math.abs(analytic));
    assert.ok(rel < 1e-4, `numeric ${numeric} vs analytic ${analytic}`);
  };
  for (let t = 0; t < 2; t++) {
    for (let i = 0; i < dim; i++) {
      check(steerer.theta[t]!, i, gradients.theta[t]![i]!);
      check(steerer.gateW[t]!, i, gradients.gateW[t]![i]!);
    }
    check(steerer.gateB, t, gradients.gateB[t]!);
  }
});
