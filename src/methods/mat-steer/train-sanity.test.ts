import assert from "node:assert/strict";
import { test } from "node:test";
import { SeededRandom } from "../../math/seeded-random.ts";
import { mmd2 } from "./mmd.ts";
import { gates, type Steerer, steer } from "./steerer.ts";
import {
  type AttributeActivations,
  matSteerDefaults,
  matSteerLoss,
  type SteerBatch,
  trainMatSteer,
} from "./train.ts";

const dim = 16;
const radius = 4;
const attributes = ["a", "b"];

interface Synthetic {
  acts: Record<string, AttributeActivations>;
  /** Cluster centres (before the spread), per attribute. */
  centre: Record<string, { positive: Float64Array; negative: Float64Array }>;
}

// Spec §8 data: d = 16, T = 2, per attribute μ⁺ and μ⁻ with ‖μ⁺ − μ⁻‖ = 1, spread 0.1 per
// coordinate, every point rescaled to one norm (4 ≈ √d, the norm of a standard normal vector).
function synthetic(seed: number): Synthetic {
  const rng = new SeededRandom(seed);
  const acts: Record<string, AttributeActivations> = {};
  const centre: Synthetic["centre"] = {};
  const toRadius = (x: Float64Array) => x.map((v) => (v * radius) / Math.hypot(...x));
  for (const name of attributes) {
    const base = Float64Array.from({ length: dim }, () => rng.normal());
    const dir = Float64Array.from({ length: dim }, () => rng.normal());
    const len = Math.hypot(...dir);
    const mean = (sign: number) => base.map((b, i) => b + (sign * dir[i]!) / len / 2);
    const cloud = (sign: number) =>
      Array.from({ length: 100 }, () => toRadius(mean(sign).map((m) => m + 0.1 * rng.normal())));
    centre[name] = { positive: toRadius(mean(1)), negative: toRadius(mean(-1)) };
    acts[name] = { positive: cloud(1), negative: cloud(-1) };
  }
  return { acts, centre };
}

function meanGate(steerer: Steerer, xs: readonly ArrayLike<number>[], gate: number): number {
  return xs.reduce((sum, h) => sum + gates(steerer, h)[gate]!, 0) / xs.length;
}

function cosine(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let dot = 0;
  let xx = 0;
  let yy = 0;
  for (let i = 0; i < x.length; i++) {
    dot += x[i]! * y[i]!;
    xx += x[i]! * x[i]!;
    yy += y[i]! * y[i]!;
  }
  return dot / Math.sqrt(xx * yy);
}

// The spec's weights, Adam lr 1e-2 for 300 epochs: at the spec's lr 1e-3 and 100 epochs (~500
// steps) θ barely leaves its N(0, 1) start and the steered negatives do not move (measured:
// MMD ratio 0.9–2.7). The objective is symmetric under relabelling (gate, vector) pairs, so the
// gate "of" an attribute is the one most open on that attribute's negatives.
test("training sanity (spec weights): steered negatives reach the positives, gates select them, vectors orthogonal", () => {
  const { acts } = synthetic(11);
  const { steerer, history } = trainMatSteer(acts, { epochs: 300, learningRate: 1e-2, seed: 5 });
  // the spec's criterion on the logged L_mmd (initially inflated by the random θ)
  assert.ok(history[0]!.mmd / history.at(-1)!.mmd >= 5, "L_mmd drops ≥ 5×");
  for (const name of attributes) {
    const { positive, negative } = acts[name]!;
    const before = mmd2(negative, positive, 2);
    const after = mmd2(
      negative.map((h) => steer(steerer, h)),
      positive,
      2,
    );
    assert.ok(before / after >= 5, `${name}: MMD of steered negatives ${before} → ${after}`);
    const open = [0, 1].map((g) => meanGate(steerer, negative, g));
    const gate = open[0]! >= open[1]! ? 0 : 1;
    const onPositives = meanGate(steerer, positive, gate);
    assert.ok(
      open[gate]! >= 2 * onPositives,
      `${name}: gate ${gate} is ${open[gate]} on negatives, ${onPositives} on positives`,
    );
  }
  const cos = cosine(steerer.theta[0]!, steerer.theta[1]!);
  assert.ok(Math.abs(cos) < 0.1, `cos(θ1, θ2) = ${cos}`);

  // Scale symmetry: halving the (small) gates through the bias and doubling θ keeps the steering
  // and lowers the gate penalty, so training keeps shrinking the gates instead of opening them.
  const rescaled: Steerer = {
    ...steerer,
    theta: steerer.theta.map((v) => v.map((x) => 2 * x)),
    gateB: steerer.gateB.map((b) => b - Math.log(2)),
  };
  const batch: SteerBatch = {
    positive: attributes.map((a) => [...acts[a]!.positive]),
    negative: attributes.map((a) => [...acts[a]!.negative]),
    target: attributes.map((a) => [...acts[a]!.positive]),
  };
  const total = (s: Steerer) => matSteerLoss(s, batch, { ...matSteerDefaults, sigma: 2 }).losses;
  assert.ok(total(rescaled).total < total(steerer).total, "smaller gates × larger θ cost less");
});

// Why the spec's "mean gate on negatives > 0.5" is not asserted: the objective does not reward
// it. A hand-built selective steerer (gate ≈ 1 on its attribute's negatives, ≈ 0 elsewhere,
// θ = μ⁺ − μ⁻) loses to the same steerer with closed gates under the spec's weights.
test("the spec's weights prefer closed gates to a selective steerer that moves negatives onto positives", () => {
  const { acts, centre } = synthetic(11);
  const selective = (gateShift: number, thetaScale: number): Steerer => ({
    attributes,
    theta: attributes.map((a) =>
      centre[a]!.positive.map((p, i) => thetaScale * (p - centre[a]!.negative[i]!)),
    ),
    // w ∝ μ⁻ direction; the threshold sits between the negatives' and the positives' projections
    gateW: attributes.map((a) => centre[a]!.negative.map((v) => (400 * v) / radius)),
    gateB: attributes.map((a) => {
      const n = centre[a]!.negative;
      const p = centre[a]!.positive;
      const mid = (Math.hypot(...n) ** 2 + cosine(n, p) * radius * radius) / 2 / radius;
      return -400 * mid + gateShift;
    }),
    multiplier: 1,
    normPreserve: true,
  });
  const batch: SteerBatch = {
    positive: attributes.map((a) => [...acts[a]!.positive]),
    negative: attributes.map((a) => [...acts[a]!.negative]),
    target: attributes.map((a) => [...acts[a]!.positive]),
  };
  const loss = (s: Steerer, lambdaGates: number) =>
    matSteerLoss(s, batch, {
      ...matSteerDefaults,
      sigma: 2,
      lambdaSparse: lambdaGates,
      lambdaPos: lambdaGates,
    }).losses;

  const open = selective(0, 1);
  for (const [t, name] of attributes.entries()) {
    assert.ok(meanGate(open, acts[name]!.negative, t) > 0.8, "construction: open on negatives");
    assert.ok(meanGate(open, acts[name]!.positive, t) < 0.1, "construction: closed on positives");
  }
  const closed = selective(-60, 1);
  // the construction steers: with cheap gates it beats doing nothing
  assert.ok(loss(open, 0.01).total < loss(closed, 0.01).total);
  assert.ok(loss(open, 0.01).mmd < loss(closed, 0.01).mmd / 5);
  // with the spec's gate weights (0.9) doing nothing is cheaper than steering
  assert.ok(loss(closed, 0.9).total < loss(open, 0.9).total, "spec weights prefer closed gates");
});
