import assert from "node:assert/strict";
import { test } from "node:test";
import { exposureCurve } from "./exposure-curve.ts";

test("the exposure curve passes through its head, median and tail anchors and never rises", () => {
  const curve = exposureCurve(513, { head: 200, median: 50, tail: 4 });
  assert.ok(Math.abs(curve[0]! - 200) < 1e-9);
  assert.ok(Math.abs(curve[256]! - 50) < 1e-9);
  assert.ok(Math.abs(curve[512]! - 4) < 1e-9);
  for (let r = 1; r < curve.length; r++) assert.ok(curve[r]! <= curve[r - 1]!);
});

test("anchors that would make popularity rise with rank are refused", () => {
  assert.throws(() => exposureCurve(100, { head: 200, median: 190, tail: 1 }), /rises with rank/);
});
