import assert from "node:assert/strict";
import { test } from "node:test";
import { SeededRandom } from "../math/seeded-random.ts";
import type { Arr } from "./array.ts";
import { configureGemm, gemmOptions, gemmStats, ortAvailable, resetGemmStats } from "./gemm.ts";

const { minOrtWork } = gemmOptions();

import { enableGrad, type Param } from "./param.ts";
import { checkFiniteDifferences } from "./test-fixtures.ts";
import { vocabHeadScores } from "./vocab-head.ts";

function param(name: string, shape: [number, number], seed: number, f64: boolean): Param {
  const rng = new SeededRandom(seed);
  const n = shape[0] * shape[1];
  const data = f64 ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = rng.normal();
  return { name, shape, data };
}

const targets = [3, 0, 6, 2];
const gTarget = [-0.7, 0.4, -1.3, 0.25];
// Label smoothing's term, so the Σ_v W_v part of the frozen backward is exercised too.
const gMean = [0.2, 0, -0.5, 0.1];

/** Σ gTarget·target + gMean·meanAll: its gradient is what backward(gTarget, gMean) returns. */
async function headLoss(x: Param, w: Param): Promise<number> {
  const s = await vocabHeadScores(x.data, w, targets, false);
  let loss = 0;
  for (let r = 0; r < targets.length; r++)
    loss += gTarget[r]! * s.target[r]! + gMean[r]! * s.meanAll[r]!;
  return loss;
}

for (const trainW of [false, true]) {
  test(`head gradients match finite differences (${trainW ? "trainable" : "frozen"} W)`, async () => {
    const x = param("x", [4, 5], 1, true);
    const w = param("w", [7, 5], 2, true);
    enableGrad(x);
    if (trainW) enableGrad(w);
    const s = await vocabHeadScores(x.data, w, targets, true);
    x.grad!.set(await s.backward!(gTarget, gMean));
    await checkFiniteDifferences(trainW ? [x, w] : [x], () => headLoss(x, w), {
      samples: 10,
      tolerance: 1e-6,
    });
  });
}

function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string) {
  assert.equal(got.length, want.length, what);
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i]! - want[i]!) / Math.max(1, Math.abs(want[i]!));
    assert.ok(err < 2e-4, `${what}[${i}]: ${got[i]} vs ${want[i]}`);
  }
}

test("the onnxruntime head graph equals the TypeScript head (scores, dX, dW), one call each", async () => {
  if (!(await ortAvailable())) return;
  const [R, V, d] = [6, 300, 24];
  const rng = new SeededRandom(4);
  const y = Array.from({ length: R }, () => rng.int(V));
  const gt = Array.from({ length: R }, () => rng.normal());
  const gm = Array.from({ length: R }, () => 0.1 * rng.normal());
  const x = param("x", [R, d], 5, false).data;
  for (const train of [false, true])
    for (const trainW of [false, true]) {
      if (!train && trainW) continue;
      const run = async (useOrt: boolean) => {
        configureGemm({ useOrt, minOrtWork: 1 });
        const w = param("w", [V, d], 6, false);
        if (trainW) enableGrad(w);
        resetGemmStats();
        const s = await vocabHeadScores(x, w, y, train);
        const calls = gemmStats.ortCalls;
        const dx: Arr | undefined = await s.backward?.(gt, gm);
        return { s, dx, dw: w.grad, calls };
      };
      const ts = await run(false);
      const onnx = await run(true);
      configureGemm({ useOrt: true, minOrtWork });
      const what = `train ${train}, trainable W ${trainW}`;
      assert.equal(ts.calls, 0);
      assert.equal(onnx.calls, 1, `${what}: the forward is one onnxruntime call`);
      assertClose(onnx.s.target, ts.s.target, `${what}: target`);
      assertClose(onnx.s.meanAll, ts.s.meanAll, `${what}: meanAll`);
      if (train) assertClose(onnx.dx!, ts.dx!, `${what}: dX`);
      if (trainW) assertClose(onnx.dw!, ts.dw!, `${what}: dW`);
    }
});

test("a target outside the vocabulary is a RangeError naming its row", async () => {
  const w = param("w", [7, 5], 2, true);
  await assert.rejects(
    vocabHeadScores(param("x", [2, 5], 1, true).data, w, [1, 7], false),
    /target 7 of row 1/,
  );
});
