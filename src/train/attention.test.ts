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

test("attention over per-sequence KV caches: the onnxruntime graph equals the TypeScript path", async () => {
  if (!(await ortAvailable())) return;
  const { minOrtWork } = gemmOptions();
  const shape = { nHead: 4, nHeadKv: 2, headDim: 8 };
  const kvDim = shape.nHeadKv * shape.headDim;
  const qDim = shape.nHead * shape.headDim;
  // Three sequences decoding 1, 3 and 2 new rows after caches of 7, 2 and 0 rows.
  const pasts = [7, 2, 0];
  const layout: AttentionLayout = { offsets: [0, 1, 4], lengths: [1, 3, 2], maxLength: 3, pasts };
  const q = { a: matrix(6 * qDim, 3), stride: qDim, col: 0 };
  // Head-major caches ([nHeadKv, capacity, hd]) with room to spare past their rows.
  const caches = pasts.map((p, b) => {
    const capacity = p + layout.lengths[b]! + 2;
    return {
      k: { a: matrix(capacity * kvDim, 10 + b), capacity },
      v: { a: matrix(capacity * kvDim, 20 + b), capacity },
    };
  });
  const run = async (useOrt: boolean) => {
    configureGemm({ useOrt, minOrtWork: 1 });
    resetGemmStats();
    const k = caches.map((c) => c.k);
    const v = caches.map((c) => c.v);
    const fwd = await attentionForward(q, k, v, layout, shape, false);
    return { out: Float32Array.from(fwd.out), calls: gemmStats.ortCalls };
  };
  const ts = await run(false);
  const graph = await run(true);
  configureGemm({ useOrt: true, minOrtWork });
  assert.equal(ts.calls, 0);
  assert.equal(graph.calls, 1);
  assertClose(graph.out, ts.out, "output");
  // Each sequence's first query row, by hand: softmax over its cache and itself.
  for (const [b, past] of pasts.entries()) {
    const row = layout.offsets[b]!;
    for (let h = 0; h < shape.nHead; h++) {
      const c = caches[b]!;
      const at = (j: number, i: number) =>
        (Math.floor(h / 2) * c.k.capacity + j) * shape.headDim + i;
      const scores = Array.from({ length: past + 1 }, (_, j) => {
        let dot = 0;
        for (let i = 0; i < shape.headDim; i++)
          dot += q.a[row * qDim + h * shape.headDim + i]! * c.k.a[at(j, i)]!;
        return dot / Math.sqrt(shape.headDim);
      });
      const max = Math.max(...scores);
      const e = scores.map((x) => Math.exp(x - max));
      const sum = e.reduce((x, y) => x + y, 0);
      for (let i = 0; i < shape.headDim; i++) {
        let want = 0;
        for (let j = 0; j <= past; j++) want += (e[j]! / sum) * c.v.a[at(j, i)]!;
        const got = ts.out[row * qDim + h * shape.headDim + i]!;
        assert.ok(Math.abs(got - want) < 1e-4, `sequence ${b} head ${h} [${i}]: ${got} vs ${want}`);
      }
    }
  }
  await assert.rejects(
    attentionForward(
      q,
      caches.map((c) => c.k),
      caches.map((c) => c.v),
      layout,
      shape,
      true,
    ),
    /no backward/,
  );
});
