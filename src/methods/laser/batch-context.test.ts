import assert from "node:assert/strict";
import { test } from "node:test";
import { batchContext, projectedMean, RandomProjection } from "./batch-context.ts";

const norm = (v: ArrayLike<number>) => Math.hypot(...Array.from(v));

test("batch context: per-prompt unit vectors averaged, projected, centred, unit norm plus intercept", () => {
  const id = new RandomProjection(3, 8, 1);
  assert.equal(id.to, 3, "no projection up");
  // Prompt scale does not matter (each pooled state is normalised first).
  const x = batchContext(
    [
      [10, 0, 0],
      [0, 0.1, 0],
    ],
    id,
  );
  const expected = [Math.SQRT1_2, Math.SQRT1_2, 0, 1];
  for (const [i, v] of expected.entries())
    assert.ok(Math.abs(x[i]! - v) < 1e-12, `x[${i}] = ${x[i]}`);
  assert.equal(x.length, 4);
  assert.ok(Math.abs(norm(x.subarray(0, 3)) - 1) < 1e-12);
  // Two batches that share a large common direction differ little until centred.
  const a = [[5, 1, 0]];
  const b = [[5, -1, 0]];
  const raw = [batchContext(a, id), batchContext(b, id)];
  const cos = (u: Float64Array, v: Float64Array) =>
    u.subarray(0, 3).reduce((s, ui, i) => s + ui * v[i]!, 0);
  assert.ok(cos(raw[0]!, raw[1]!) > 0.9);
  const pa = projectedMean(a, id);
  const centre = pa.map((v, i) => (v + projectedMean(b, id)[i]!) / 2);
  const centred = [batchContext(a, id, centre), batchContext(b, id, centre)];
  assert.ok(cos(centred[0]!, centred[1]!) < -0.99, "centred: opposite directions");
});

test("random projection: fixed by its seed, roughly norm-preserving, checked input size", () => {
  const p = new RandomProjection(256, 64, 7);
  const q = new RandomProjection(256, 64, 7);
  const v = Float64Array.from({ length: 256 }, (_, i) => Math.sin(i));
  assert.deepEqual(p.apply(v), q.apply(v));
  const ratio = norm(p.apply(v)) / norm(v);
  assert.ok(ratio > 0.7 && ratio < 1.3, `norm ratio ${ratio}`);
  assert.throws(() => p.apply([1, 2]), /expects 256/);
  assert.throws(() => batchContext([], p), /at least one/);
});
