import assert from "node:assert/strict";
import { test } from "node:test";
import { SeededRandom } from "../math/seeded-random.ts";
import { AdamW } from "./adamw.ts";
import type { Param } from "./param.ts";

/** AdamW exactly as written in Loshchilov & Hutter / torch.optim.AdamW's docs, per element. */
function referenceSteps(w0: number[], grads: number[][], lr: number, wd: number): number[] {
  const [b1, b2, eps] = [0.9, 0.999, 1e-8];
  const w = [...w0];
  const m = w.map(() => 0);
  const v = w.map(() => 0);
  grads.forEach((g, s) => {
    const t = s + 1;
    for (let i = 0; i < w.length; i++) {
      w[i] = w[i]! - lr * wd * w[i]!;
      m[i] = b1 * m[i]! + (1 - b1) * g[i]!;
      v[i] = b2 * v[i]! + (1 - b2) * g[i]! ** 2;
      const mHat = m[i]! / (1 - b1 ** t);
      const vHat = v[i]! / (1 - b2 ** t);
      w[i] = w[i]! - (lr * mHat) / (Math.sqrt(vHat) + eps);
    }
  });
  return w;
}

test("AdamW follows the reference update over many steps, with and without weight decay", () => {
  const r = new SeededRandom(1);
  const n = 50;
  const w0 = Array.from({ length: n }, () => r.normal());
  // Gradients spanning magnitudes, zeros included (eps matters there).
  const grads = Array.from({ length: 30 }, (_, s) =>
    Array.from({ length: n }, (_, i) => (i % 7 === 0 ? 0 : r.normal() * 10 ** ((s % 5) - 3))),
  );
  for (const wd of [0, 0.1]) {
    const p: Param = {
      name: "w",
      shape: [n],
      data: Float64Array.from(w0),
      grad: new Float64Array(n),
    };
    const opt = new AdamW([p], { weightDecay: wd });
    for (const g of grads) {
      p.grad!.set(g);
      opt.update(1e-2);
    }
    const want = referenceSteps(w0, grads, 1e-2, wd);
    for (let i = 0; i < n; i++) assert.ok(Math.abs(p.data[i]! - want[i]!) < 1e-12, `w[${i}]`);
    assert.equal(opt.step, grads.length);
  }
});

test("AdamW updates float32 weights with float64 moments", () => {
  const p: Param = {
    name: "w",
    shape: [3],
    data: Float32Array.from([1, -2, 0.5]),
    grad: Float32Array.from([0.1, -0.2, 0]),
  };
  const opt = new AdamW([p]);
  opt.update(1e-3);
  // Step 1: m̂ = g, v̂ = g², so each weight with a gradient moves by lr·sign(g).
  const want = referenceSteps([1, -2, 0.5], [[0.1, -0.2, 0]], 1e-3, 0);
  assert.deepEqual([...p.data], want.map(Math.fround));
  assert.ok(opt.m.get("w") instanceof Float64Array);
});
