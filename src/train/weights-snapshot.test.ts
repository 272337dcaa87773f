import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError } from "../model/errors.ts";
import type { Param } from "./param.ts";
import { restoreParams, snapshotParams } from "./weights-snapshot.ts";

const params = (): Param[] => [
  { name: "b", shape: [2], data: new Float32Array([3, 4]) },
  { name: "a", shape: [1, 2], data: new Float32Array([1, 2]) },
];

test("a snapshot is a copy whose hash depends only on names, shapes and values", () => {
  const ps = params();
  const s = snapshotParams(ps);
  assert.equal(snapshotParams(params()).hash, s.hash);
  assert.equal(snapshotParams([...params()].reverse()).hash, s.hash);
  ps[0]!.data[1] = 5;
  assert.notEqual(snapshotParams(ps).hash, s.hash);
  assert.deepEqual(Array.from(s.tensors.get("b")!.data), [3, 4]);
  restoreParams(ps, s);
  assert.deepEqual(Array.from(ps[0]!.data), [3, 4]);
  assert.equal(snapshotParams(ps).hash, s.hash);
});

test("restoring a snapshot of other parameters is a ConfigError naming the tensor", () => {
  const s = snapshotParams(params());
  const other = params();
  other[1] = { name: "a", shape: [1, 3], data: new Float32Array(3) };
  assert.throws(
    () => restoreParams(other, s),
    (e: unknown) => e instanceof ConfigError && /a has another shape/.test(e.message),
  );
  assert.throws(
    () => restoreParams(params().slice(1), s),
    /2 tensors in the snapshot, 1 trainable/,
  );
});
