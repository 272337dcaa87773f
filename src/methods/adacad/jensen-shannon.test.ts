import assert from "node:assert/strict";
import { test } from "node:test";
import { contrastiveLogits, flooredAlpha } from "./contrastive-logits.ts";
import {
  expNonPositive,
  jensenShannon,
  jensenShannonProbabilities,
  logSumExp,
} from "./jensen-shannon.ts";
import { argmax } from "./token-choice.ts";

const f = (values: number[]) => Float32Array.from(values);

// The spec's acceptance table (§8), computed with the reference formulas in natural log.
const rows = [
  { zc: [2, 1.8, 0], zn: [2, 0, 0], alpha: 0.066355, s: [2, 1.919439, 0], ada: 0, cad: 1, ctx: 0 },
  {
    zc: [2.2, 2.0, 0],
    zn: [5, 0, 0],
    alpha: 0.180789,
    s: [1.69379, 2.361579, 0],
    ada: 1,
    cad: 1,
    ctx: 0,
  },
  {
    zc: [2, 1, 0],
    zn: [0, 1, 2],
    alpha: 0.247588,
    s: [2.495176, 1, -0.495176],
    ada: 0,
    cad: 0,
    ctx: 0,
  },
  { zc: [1, 0, -1], zn: [1, 0, -1], alpha: 0, s: [1, 0, -1], ada: 0, cad: 0, ctx: 0 },
];

for (const [i, row] of rows.entries()) {
  test(`spec row ${i + 1}: JSD α, AdaCAD scores and picks`, () => {
    const alpha = jensenShannon(f(row.zc), f(row.zn));
    assert.ok(Math.abs(alpha - row.alpha) < 1e-6, `α ${alpha} vs ${row.alpha}`);
    const s = contrastiveLogits(f(row.zc), f(row.zn), alpha);
    for (const [j, expected] of row.s.entries()) {
      assert.ok(Math.abs(s[j]! - expected) < 1e-5, `s[${j}] ${s[j]} vs ${expected}`);
    }
    assert.equal(argmax(s), row.ada);
    assert.equal(argmax(contrastiveLogits(f(row.zc), f(row.zn), 1)), row.cad);
    assert.equal(argmax(f(row.zc)), row.ctx);
  });
}

test("opposite near-one-hot distributions give ln 2 and never more", () => {
  const alpha = jensenShannon(f([100, 0]), f([0, 100]));
  // the spec prints 0.693147 = ln 2
  assert.ok(Math.abs(alpha - Math.LN2) < 1e-6);
  assert.ok(alpha <= Math.LN2);
});

// The spec prints −2.3543727 for this shift, but its own formula −(1+α)·logZ_c + α·logZ_n gives
// −2.4674772 (logZ_c = 2.8572785, logZ_n = 5.0133859, α = 0.1807894); we test the formula.
test("log-softmax instead of logits shifts every score of row 2 by the same constant", () => {
  const zc = f([2.2, 2.0, 0]);
  const zn = f([5, 0, 0]);
  const alpha = jensenShannon(zc, zn);
  const lc = zc.map((z) => z - logSumExp(zc));
  const ln = zn.map((z) => z - logSumExp(zn));
  const fromLogits = contrastiveLogits(zc, zn, alpha);
  const fromLogprobs = contrastiveLogits(lc, ln, alpha);
  for (let j = 0; j < 3; j++) {
    assert.ok(Math.abs(fromLogprobs[j]! - fromLogits[j]! - -2.4674772) < 1e-5);
  }
  assert.equal(argmax(fromLogprobs), argmax(fromLogits));
});

test("the floor 0.3 replaces row 2's α of 0.1808", () => {
  const alpha = jensenShannon(f([2.2, 2.0, 0]), f([5, 0, 0]));
  assert.equal(flooredAlpha(alpha, 0.3), 0.3);
  assert.equal(flooredAlpha(alpha, 0), alpha);
});

test("JSD of probabilities agrees with JSD of logits and is symmetric", () => {
  const zc = f([2, 1, 0]);
  const zn = f([0, 1, 2]);
  const p = zc.map((z) => Math.exp(z - logSumExp(zc)));
  const q = zn.map((z) => Math.exp(z - logSumExp(zn)));
  assert.ok(Math.abs(jensenShannonProbabilities(p, q) - jensenShannon(zc, zn)) < 1e-6);
  assert.ok(Math.abs(jensenShannon(zn, zc) - jensenShannon(zc, zn)) < 1e-12);
});

test("mismatched lengths are rejected", () => {
  assert.throws(() => jensenShannon(f([1, 2]), f([1])), /differ in length/);
});

test("the fast exp used by the JSD is within 1e-7 relative of Math.exp on [-700, 0]", () => {
  for (let x = -700; x <= 0; x += 0.0137) {
    const exact = Math.exp(x);
    if (exact === 0) continue;
    assert.ok(Math.abs(expNonPositive(x) / exact - 1) < 1e-7, `x = ${x}`);
  }
  assert.equal(expNonPositive(0), 1);
  assert.equal(expNonPositive(-800), 0);
});
