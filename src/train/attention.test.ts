import assert from "node:assert/strict";
import { test } from "node:test";
import { SeededRandom } from "../math/seeded-random.ts";
import { type AttentionLayout, attentionBackward, attentionForward } from "./attention.ts";
import { configureGemm, gemmOptions, gemmStats, ortAvailable, resetGemmStats } from "./gemm.ts";

function matrix(n: number, seed: number): Float32Array {
  const rng = new SeededRandom(seed);
  return Float32Array.from({ length: n }, () => rng.normal());
}

function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string) {
  assert.equal(got.length, want.length, what);
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i]! - want[i]!) / Math.max(1, Math.abs(want[i]!));
    assert.ok(err < 1e-4, `${what}[${i}]: ${got[i]} vs ${want[i]}`);
  }
}

test("the onnxruntime attention graphs equal the TypeScript path (GQA, padded sequences)", async () => {
  if (!(await ortAvailable())) return;
  const { minOrtWork } = gemmOptions();
  const shape = { nHead: 4, nHeadKv: 2, headDim: 8 };
  // Three sequences of different lengths: the shorter ones are padded to 9 rows per head.
  const layout: AttentionLayout = {
    offsets: [0, 9, 13],
    lengths: [9, 4, 6],
    maxLength: 9,
    past: 0,
  };
  const rows = 19;
  const qkvDim = (shape.nHead + 2 * shape.nHeadKv) * shape.headDim;
  const qkv = matrix(rows * qkvDim, 1);
  const dOut = matrix(rows * shape.nHead * shape.headDim, 2);
  const run = async (useOrt: boolean) => {
    configureGemm({ useOrt, minOrtWork: 1 });
    resetGemmStats();
    const q = { a: qkv, stride: qkvDim, col: 0 };
    const k = { a: qkv, stride: qkvDim, col: 32 };
    const v = { a: qkv, stride: qkvDim, col: 48 };
    const fwd = await attentionForward(q, k, v, layout, shape, true);
    const d = new Float32Array(rows * qkvDim);
    await attentionBackward(Float32Array.from(dOut), fwd.cache!, shape, {
      dq: { a: d, stride: qkvDim, col: 0 },
      dk: { a: d, stride: qkvDim, col: 32 },
      dv: { a: d, stride: qkvDim, col: 48 },
    });
    return { out: Float32Array.from(fwd.out), d, calls: gemmStats.ortCalls };
  };
  const ts = await run(false);
  const graph = await run(true);
  configureGemm({ useOrt: true, minOrtWork });
  assert.equal(ts.calls, 0);
  assert.equal(graph.calls, 2, "one onnxruntime call forward, one backward");
  assertClose(graph.out, ts.out, "output");
  assertClose(graph.d, ts.d, "dq|dk|dv");
});
