import assert from "node:assert/strict";
import { test } from "node:test";
import { SeededRandom } from "../math/seeded-random.ts";
import { configureGemm, gemmOptions, gemmStats, ortAvailable, resetGemmStats } from "./gemm.ts";

const { minOrtWork } = gemmOptions();

import type { Param } from "./param.ts";
import { type FfnBlock, swigluFfnBackward, swigluFfnForward } from "./swiglu-ffn.ts";

function matrix(n: number, seed: number, scale = 1): Float32Array {
  const rng = new SeededRandom(seed);
  return Float32Array.from({ length: n }, () => scale * rng.normal());
}

const w = (name: string, shape: [number, number], seed: number): Param => ({
  name,
  shape,
  data: matrix(shape[0] * shape[1], seed, 0.2),
});

function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string) {
  assert.equal(got.length, want.length, what);
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i]! - want[i]!) / Math.max(1, Math.abs(want[i]!));
    assert.ok(err < 1e-4, `${what}[${i}]: ${got[i]} vs ${want[i]}`);
  }
}

test("the onnxruntime FFN graphs equal the TypeScript FFN, norm included (output and input gradient)", async () => {
  if (!(await ortAvailable())) return;
  const [R, D, F] = [7, 24, 40];
  const lins: FfnBlock = {
    norm: { name: "norm", shape: [D], data: matrix(D, 7, 0.5).map((v) => 1 + v) },
    eps: 1e-5,
    gate: { w: w("gate", [F, D], 1) },
    up: { w: w("up", [F, D], 2) },
    down: { w: w("down", [D, F], 3) },
  };
  const h = matrix(R * D, 5);
  const dOut = matrix(R * D, 6);
  const run = async (useOrt: boolean) => {
    configureGemm({ useOrt, minOrtWork: 1 });
    resetGemmStats();
    const f = await swigluFfnForward(lins, h, R, { train: true });
    const dx = await swigluFfnBackward(lins, f.cache, Float32Array.from(dOut), R);
    return { out: Float32Array.from(f.out), dx, kind: f.cache.kind, calls: gemmStats.ortCalls };
  };
  const ts = await run(false);
  const graph = await run(true);
  configureGemm({ useOrt: true, minOrtWork });
  assert.equal(ts.kind, "ts");
  assert.equal(graph.kind, "graph");
  assert.equal(graph.calls, 2, "one onnxruntime call forward, one backward");
  assertClose(graph.out, ts.out, "output");
  assertClose(graph.dx, ts.dx, "dx");
});

test("a trainable FFN weight or norm keeps the TypeScript path", async () => {
  const [R, D, F] = [2, 4, 6];
  const lins: FfnBlock = {
    norm: { name: "norm", shape: [D], data: new Float32Array(D).fill(1) },
    eps: 1e-5,
    gate: { w: w("gate", [F, D], 1) },
    up: { w: { ...w("up", [F, D], 2), grad: new Float32Array(F * D) } },
    down: { w: w("down", [D, F], 3) },
  };
  const f = await swigluFfnForward(lins, matrix(R * D, 5), R, { train: true });
  assert.equal(f.cache.kind, "ts");
  delete lins.up.w.grad;
  lins.norm.grad = new Float32Array(D);
  const g = await swigluFfnForward(lins, matrix(R * D, 5), R, { train: true });
  assert.equal(g.cache.kind, "ts", "a trainable norm keeps the TypeScript path too");
});
