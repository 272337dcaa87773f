import assert from "node:assert/strict";
import { test } from "node:test";
import { configureGemm, gemm, ortAvailable } from "./gemm.ts";
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

test("onnxruntime GEMM reads operands that are views into larger buffers", async () => {
  if (!(await ortAvailable())) return;
  configureGemm({ minOrtWork: 1 });
  try {
    const big = Float32Array.from(rand(64 * 40, 5));
    const view = big.subarray(64 * 10);
    const w = Float32Array.from(rand(64 * 30, 6));
    const got = await gemm(view, w, 30, 30, 64, false, true);
    const want = gemmTs(Float64Array.from(view), Float64Array.from(w), 30, 30, 64, false, true);
    for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i]! - want[i]!) < 1e-4);
  } finally {
    configureGemm({ minOrtWork: 65536 });
  }
});
