import assert from "node:assert/strict";
import { test } from "node:test";
import { BufferArena } from "./buffer-arena.ts";

const f32 = new Float32Array(0);
const f64 = new Float64Array(0);

test("a released buffer is handed out again, as a view of the requested length", () => {
  const arena = new BufferArena();
  const a = arena.lease();
  const x = a.take(f32, 1000);
  x.fill(7);
  a.release();
  const b = arena.lease();
  const y = b.take(f32, 990); // same capacity class as 1000
  assert.equal(y.length, 990);
  assert.equal(y.buffer, x.buffer, "the same memory comes back");
  assert.equal(y[0], 7, "take does not zero");
  const z = b.zeros(f32, 1000);
  assert.notEqual(z.buffer, x.buffer, "a buffer in use is never handed out twice");
  assert.ok(z.every((v) => v === 0));
});

test("zeros clears a reused buffer; precisions never mix", () => {
  const arena = new BufferArena();
  const a = arena.lease();
  a.take(f64, 500).fill(3);
  a.release();
  const b = arena.lease();
  const asF32 = b.take(f32, 500);
  assert.ok(asF32 instanceof Float32Array);
  const z = b.zeros(f64, 500);
  assert.ok(z instanceof Float64Array);
  assert.ok(z.every((v) => v === 0));
});

test("overlapping leases get distinct buffers", () => {
  const arena = new BufferArena();
  const first = arena.lease();
  first.take(f32, 4096);
  first.release();
  const a = arena.lease();
  const b = arena.lease();
  assert.notEqual(a.take(f32, 4096).buffer, b.take(f32, 4096).buffer);
});

test("buffers idle for more than keepReleases releases are dropped", () => {
  const arena = new BufferArena(2);
  const a = arena.lease();
  a.take(f32, 10_000);
  a.release();
  assert.ok(arena.heldElements() >= 10_000);
  for (let i = 0; i < 2; i++) {
    const l = arena.lease();
    l.take(f32, 100);
    l.release();
  }
  assert.ok(arena.heldElements() < 10_000, `still holds ${arena.heldElements()} elements`);
});

test("a lease cannot take after its release", () => {
  const lease = new BufferArena().lease();
  lease.release();
  assert.throws(() => lease.take(f32, 8), /after release/);
});

test("a free buffer up to about twice the size serves a smaller request; a smaller one never does", () => {
  const arena = new BufferArena();
  const a = arena.lease();
  const big = a.take(f32, 1800);
  const small = a.take(f32, 500);
  a.release();
  const b = arena.lease();
  const x = b.take(f32, 1000);
  assert.equal(x.buffer, big.buffer, "1000 fits in the 1800 buffer");
  const y = b.take(f32, 600);
  assert.notEqual(y.buffer, small.buffer, "600 does not fit in 500");
  assert.equal(y.length, 600);
});
