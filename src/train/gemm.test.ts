import assert from "node:assert/strict";
import { test } from "node:test";
import {
  batchedGemm,
  configureGemm,
  gemm,
  gemmStats,
  ortAvailable,
  resetGemmStats,
} from "./gemm.ts";
import { gemmTs } from "./gemm-ts.ts";

function naive(
  a: Float64Array,
  b: Float64Array,
  m: number,
  n: number,
  k: number,
  ta: boolean,
  tb: boolean,
) {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++)
        s += a[ta ? p * m + i : i * k + p]! * b[tb ? j * k + p : p * n + j]!;
      c[i * n + j] = s;
    }
  return c;
}

function rand(n: number, seed: number): Float64Array {
  let x = seed;
  return Float64Array.from({ length: n }, () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648 - 0.5;
  });
}

test("TypeScript GEMM matches a naive product for every transpose and ragged shapes", () => {
  for (const [m, n, k] of [
    [1, 1, 1],
    [5, 7, 3],
    [8, 4, 9],
    [13, 6, 17],
  ] as const) {
    for (const ta of [false, true])
      for (const tb of [false, true]) {
        const a = rand(m * k, m + 3 * n);
        const b = rand(k * n, k + 7);
        const got = gemmTs(a, b, m, n, k, ta, tb);
        const want = naive(a, b, m, n, k, ta, tb);
        for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i]! - want[i]!) < 1e-12);
      }
  }
});

test("onnxruntime GEMM matches the TypeScript kernel for every transpose", async () => {
  if (!(await ortAvailable())) return;
  configureGemm({ minOrtWork: 1 });
  try {
    const [m, n, k] = [33, 20, 47];
    for (const ta of [false, true])
      for (const tb of [false, true]) {
        const a = Float32Array.from(rand(m * k, 11));
        const b = Float32Array.from(rand(k * n, 12));
        const got = await gemm(a, b, m, n, k, ta, tb);
        assert.ok(got instanceof Float32Array);
        const want = naive(Float64Array.from(a), Float64Array.from(b), m, n, k, ta, tb);
        for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i]! - want[i]!) < 1e-4);
      }
  } finally {
    configureGemm({ minOrtWork: 65536 });
  }
});

test("onnxruntime GEMM reads operands that are views into, or prefixes of, larger buffers", async () => {
  if (!(await ortAvailable())) return;
  configureGemm({ minOrtWork: 1 });
  try {
    const big = Float32Array.from(rand(64 * 40, 5));
    const view = big.subarray(64 * 10);
    const w = Float32Array.from(rand(64 * 30, 6));
    const got = await gemm(view, w, 30, 30, 64, false, true);
    const want = gemmTs(Float64Array.from(view), Float64Array.from(w), 30, 30, 64, false, true);
    for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i]! - want[i]!) < 1e-4);
    // The first 20 rows of the 30-row view: onnxruntime must only see the prefix.
    const prefix = await gemm(view, w, 20, 30, 64, false, true);
    assert.deepEqual(prefix, got.subarray(0, 20 * 30));
  } finally {
    configureGemm({ minOrtWork: 65536 });
  }
});

/** Per-g naive products of a [G,·,·] batch, the reference for `batchedGemm`. */
function naiveBatched(
  a: Float64Array,
  b: Float64Array,
  G: number,
  [m, n, k]: readonly [number, number, number],
  ta: boolean,
  tb: boolean,
) {
  const c = new Float64Array(G * m * n);
  for (let g = 0; g < G; g++) {
    const ag = a.subarray(g * m * k, (g + 1) * m * k);
    const bg = b.subarray(g * k * n, (g + 1) * k * n);
    c.set(naive(ag, bg, m, n, k, ta, tb), g * m * n);
  }
  return c;
}

test("batchedGemm's TypeScript path multiplies each batch entry for every transpose", async () => {
  const G = 3;
  const dims = [5, 7, 6] as const;
  for (const ta of [false, true])
    for (const tb of [false, true]) {
      const a = rand(G * dims[0] * dims[2], 21);
      const b = rand(G * dims[2] * dims[1], 22);
      const got = await batchedGemm(a, b, G, ...dims, ta, tb);
      const want = naiveBatched(a, b, G, dims, ta, tb);
      assert.equal(got.length, want.length);
      for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i]! - want[i]!) < 1e-12);
    }
});

test("batchedGemm runs one onnxruntime call per batch and matches per-entry products", async () => {
  if (!(await ortAvailable())) return;
  configureGemm({ minOrtWork: 1 });
  try {
    const G = 6;
    const dims = [17, 9, 13] as const;
    for (const ta of [false, true])
      for (const tb of [false, true]) {
        const a = Float32Array.from(rand(G * dims[0] * dims[2], 31));
        const b = Float32Array.from(rand(G * dims[2] * dims[1], 32));
        resetGemmStats();
        const got = await batchedGemm(a, b, G, ...dims, ta, tb);
        assert.equal(gemmStats.ortCalls, 1);
        assert.ok(got instanceof Float32Array);
        const want = naiveBatched(Float64Array.from(a), Float64Array.from(b), G, dims, ta, tb);
        assert.equal(got.length, want.length);
        for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i]! - want[i]!) < 1e-4);
      }
  } finally {
    configureGemm({ minOrtWork: 65536 });
  }
});

test("products below minOrtWork stay in TypeScript, above it go to onnxruntime", async () => {
  if (!(await ortAvailable())) return;
  const a = Float32Array.from(rand(16 * 16, 41));
  resetGemmStats();
  await gemm(a, a, 16, 16, 16);
  assert.deepEqual([gemmStats.ortCalls, gemmStats.tsCalls], [0, 1]);
  const big = Float32Array.from(rand(64 * 64, 42));
  await gemm(big, big, 64, 64, 64);
  assert.deepEqual([gemmStats.ortCalls, gemmStats.tsCalls], [1, 1]);
  assert.ok(gemmStats.ortSeconds > 0);
  assert.equal(gemmStats.flops, 2 * 16 ** 3 + 2 * 64 ** 3);
});

test("sessions rebuilt with spinning on give the same products", async () => {
  if (!(await ortAvailable())) return;
  const [m, n, k] = [40, 50, 60];
  const a = Float32Array.from(rand(m * k, 51));
  const b = Float32Array.from(rand(k * n, 52));
  const quiet = await gemm(a, b, m, n, k);
  configureGemm({ spin: true });
  try {
    assert.deepEqual(await gemm(a, b, m, n, k), quiet);
  } finally {
    configureGemm({ spin: false });
  }
});
