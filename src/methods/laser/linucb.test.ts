import assert from "node:assert/strict";
import { test } from "node:test";
import { SeededRandom } from "../../math/seeded-random.ts";
import { LinUcb } from "./linucb.ts";
import { percentileSorted, quantileNormalise } from "./reward-normalisation.ts";

/** Gauss–Jordan inverse with partial pivoting (the explicit reference for Sherman–Morrison). */
function invert(m: Float64Array, d: number): Float64Array {
  const a = Float64Array.from(m);
  const inv = new Float64Array(d * d);
  for (let i = 0; i < d; i++) inv[i * d + i] = 1;
  for (let c = 0; c < d; c++) {
    let p = c;
    for (let r = c + 1; r < d; r++) if (Math.abs(a[r * d + c]!) > Math.abs(a[p * d + c]!)) p = r;
    for (const x of [a, inv])
      for (let k = 0; k < d; k++) [x[c * d + k], x[p * d + k]] = [x[p * d + k]!, x[c * d + k]!];
    const pivot = a[c * d + c]!;
    for (let k = 0; k < d; k++) {
      a[c * d + k]! /= pivot;
      inv[c * d + k]! /= pivot;
    }
    for (let r = 0; r < d; r++) {
      if (r === c) continue;
      const f = a[r * d + c]!;
      for (let k = 0; k < d; k++) {
        a[r * d + k]! -= f * a[c * d + k]!;
        inv[r * d + k]! -= f * inv[c * d + k]!;
      }
    }
  }
  return inv;
}

test("spec test 2: quantile normalisation with numpy's linear percentiles", () => {
  const h = [1, 2, 3, 4, 5];
  assert.ok(Math.abs(percentileSorted(h, 20) - 1.8) < 1e-12);
  assert.ok(Math.abs(percentileSorted(h, 80) - 4.2) < 1e-12);
  assert.ok(Math.abs(quantileNormalise(3, h) - 0.5) < 1e-12);
  assert.equal(quantileNormalise(1, h), 0);
  assert.equal(quantileNormalise(5, h), 1);
  assert.equal(quantileNormalise(-7.5, [-7.5]), -7.5, "first reward returned unscaled");
  assert.equal(quantileNormalise(2, [2, 2, 2]), 0.5, "equal percentiles: no division by zero");
  // Through the bandit: the history includes the current reward, so the first one is raw.
  const u = new LinUcb(1, 1);
  assert.equal(u.update(0, [1], -7.5), -7.5);
  for (const r of [2, 4, 5]) u.update(0, [1], r);
  // With 3 added the history is [-7.5, 2, 3, 4, 5]: numpy's q20 and q80 of it by hand.
  const scaled = u.update(0, [1], 3);
  const q20 = -7.5 + 0.8 * (2 - -7.5);
  const q80 = 4 + 0.2 * (5 - 4);
  assert.ok(Math.abs(scaled - (3 - q20) / (q80 - q20)) < 1e-12);
});

test("spec test 3: the Sherman–Morrison inverse matches the explicit inverse after 100 updates", () => {
  const d = 6;
  const rng = new SeededRandom(3);
  const u = new LinUcb(d, 2);
  const A = new Float64Array(d * d);
  for (let i = 0; i < d; i++) A[i * d + i] = 1;
  for (let t = 0; t < 100; t++) {
    const x = Array.from({ length: d }, () => rng.normal());
    u.update(1, x, rng.normal());
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) A[i * d + j]! += x[i]! * x[j]!;
  }
  const explicit = invert(A, d);
  const kept = u.inverse(1);
  let worst = 0;
  for (let i = 0; i < d * d; i++) worst = Math.max(worst, Math.abs(kept[i]! - explicit[i]!));
  assert.ok(worst < 1e-8, `max |ΔA⁻¹| = ${worst}`);
  const untouched = u.inverse(0).every((v, i) => v === (i % (d + 1) === 0 ? 1 : 0));
  assert.ok(untouched, "the other arm's A⁻¹ is still the identity");
  assert.deepEqual(u.pulls, [0, 100]);
});

/**
 * One simulated bandit run; returns the per-cluster rate of optimal choices over the last 500
 * rounds (the choice "after 2000 rounds", once α = 0.1's slow exploration has found every arm:
 * the first optimal pull in a cluster can take a few hundred rounds) and the cumulative regret.
 */
function simulate(choose: "linucb" | "random", seed: number, rounds = 2000) {
  const d = 5;
  const rng = new SeededRandom(seed);
  // Three clusters (the last coordinate is a constant bias); arm k's true θ is best in cluster k.
  const centres = [
    [1, 0, 0, 0, 1],
    [0, 1, 0, 0, 1],
    [0, 0, 1, 0, 1],
  ];
  const thetas = [
    [0.6, 0, 0, 0, 0.3],
    [0, 0.6, 0, 0, 0.3],
    [0, 0, 0.6, 0, 0.3],
  ];
  const bandit = new LinUcb(d, 3);
  const right = [0, 0, 0];
  const seen = [0, 0, 0];
  const regret: number[] = [];
  let total = 0;
  for (let t = 0; t < rounds; t++) {
    const c = rng.int(3);
    const x = centres[c]!.map((v, i) => (i === 4 ? v : v + 0.1 * rng.normal()));
    const means = thetas.map((th) => th.reduce((s, w, i) => s + w * x[i]!, 0));
    const arm = choose === "linucb" ? bandit.select(x) : rng.int(3);
    bandit.update(arm, x, means[arm]! + 0.2 * rng.normal());
    const best = means.indexOf(Math.max(...means));
    if (t >= rounds - 500) {
      seen[c]!++;
      if (arm === best) right[c]!++;
    }
    total += means[best]! - means[arm]!;
    regret.push(total);
  }
  return { rate: right.map((r, c) => r / seen[c]!), regret };
}

test("spec test 1: LinUCB finds the best arm per context cluster with sub-linear regret", () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const lin = simulate("linucb", seed);
    const rnd = simulate("random", seed);
    for (const [c, r] of lin.rate.entries())
      assert.ok(r >= 0.9, `seed ${seed}: cluster ${c} optimal-arm rate ${r.toFixed(3)}`);
    const linRegret = lin.regret.at(-1)!;
    const rndRegret = rnd.regret.at(-1)!;
    assert.ok(linRegret * 3 <= rndRegret, `regret LinUCB ${linRegret} vs random ${rndRegret}`);
    // Sub-linear: the second 1000 rounds add less regret than the first 1000.
    const firstHalf = lin.regret[999]!;
    assert.ok(
      linRegret - firstHalf < firstHalf,
      `regret ${firstHalf} then ${linRegret - firstHalf}`,
    );
  }
});

test("LinUCB: ties go to the lowest arm, state survives a JSON round trip, bad input is refused", () => {
  const u = new LinUcb(2, 3);
  assert.equal(u.select([1, 0]), 0);
  u.update(0, [1, 0], -1);
  u.update(0, [1, 0], -3);
  u.update(2, [0, 1], 5);
  const copy = LinUcb.fromJSON(JSON.parse(JSON.stringify(u.toJSON())));
  assert.deepEqual(copy.scores([0.3, 0.7]), u.scores([0.3, 0.7]));
  assert.deepEqual(copy.toJSON(), u.toJSON());
  assert.equal(copy.update(1, [1, 1], 0), u.update(1, [1, 1], 0));
  assert.throws(() => u.select([1, 2, 3]), /3 dimensions/);
  assert.throws(() => u.update(0, [1, 0], Number.NaN), /finite/);
});

test("updateScaled credits an arm without touching the normalisation history", () => {
  const u = new LinUcb(1, 2);
  u.update(0, [1], 4);
  u.updateScaled(1, [1], 0);
  assert.deepEqual(u.toJSON().history, [4]);
  assert.deepEqual(u.pulls, [1, 1]);
  assert.ok(u.scores([1])[1]! < 0.1 * Math.SQRT1_2 + 1e-12, "arm 1's width shrank, mean stays 0");
});

test("firstReward: raw (official) passes the first reward unscaled, neutral gives 0.5", () => {
  const raw = new LinUcb(1, 1);
  const neutral = new LinUcb(1, 1, { firstReward: "neutral" });
  assert.equal(raw.update(0, [1], -0.7), -0.7);
  assert.equal(neutral.update(0, [1], -0.7), 0.5);
  // From the second reward on both scale by the history.
  assert.equal(raw.update(0, [1], -0.2), neutral.update(0, [1], -0.2));
  assert.equal(LinUcb.fromJSON(neutral.toJSON()).firstReward, "neutral");
});
