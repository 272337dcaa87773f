import assert from "node:assert/strict";
import { test } from "node:test";
import { SeededRandom } from "../math/seeded-random.ts";
import { configureGemm, gemmOptions, gemmStats, ortAvailable, resetGemmStats } from "./gemm.ts";

const { minOrtWork } = gemmOptions();

import type { Param } from "./param.ts";
import { type FfnLinears, swigluFfnBackward, swigluFfnForward } from "./swiglu-ffn.ts";

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

test("the onnxruntime FFN graphs equal the TypeScript FFN (output and input gradient)", async () => {
  if (!(await ortAvailable())) return;
  const [R, D, F] = [7, 24, 40];
  const lins: FfnLinears = {
    gate: { w: w("gate", [F, D], 1) },
    up: { w: w("up", [F, D], 2) },
    down: { w: w("down", [D, F], 3) },
  };
  const x = matrix(R * D, 4);
  const h = matrix(R * D, 5);
  const dOut = matrix(R * D, 6);
  const run = async (useOrt: boolean) => {
    configureGemm({ useOrt, minOrtWork: 1 });
    resetGemmStats();
    const f = await swigluFfnForward(lins, x, h, R, { train: true });
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

test("a trainable or adapted FFN weight keeps the TypeScript path", async () => {
  const [R, D, F] = [2, 4, 6];
  const lins: FfnLinears = {
    gate: { w: w("gate", [F, D], 1) },
    up: { w: { ...w("up", [F, D], 2), grad: new Float32Array(F * D) } },
    down: { w: w("down", [D, F], 3) },
  };
  const f = await swigluFfnForward(lins, matrix(R * D, 4), matrix(R * D, 5), R, { train: true });
  assert.equal(f.cache.kind, "ts");
});
