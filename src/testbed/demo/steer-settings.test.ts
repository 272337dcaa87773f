import assert from "node:assert/strict";
import { test } from "node:test";
import type { Steerer } from "../../methods/mat-steer/index.ts";
import { chooseGateSetting, gateBehaviour, ownGates } from "./steer-settings.ts";

test("the gate rule prefers the setting whose gates behave as the paper describes", () => {
  const open = { undesirable: 0.9, desirable: 0.05 };
  const leaky = { undesirable: 0.95, desirable: 0.4 };
  const shut = { undesirable: 0.02, desirable: 0.01 };
  // only median behaves: it wins although spec's gap is not smaller by much
  assert.deepEqual(chooseGateSetting({ spec: leaky, median: open }), {
    setting: "median",
    asDescribed: { spec: false, median: true },
  });
  assert.equal(chooseGateSetting({ spec: open, median: shut }).setting, "spec");
  // neither behaves: the larger gap wins
  assert.equal(chooseGateSetting({ spec: shut, median: leaky }).setting, "median");
  // both behave: the larger gap wins; a tie goes to the spec
  assert.equal(
    chooseGateSetting({ spec: open, median: { undesirable: 0.99, desirable: 0.0 } }).setting,
    "median",
  );
  assert.equal(chooseGateSetting({ spec: shut, median: shut }).setting, "spec");
});

test("each attribute's gate is the one that opens on its negatives, even when gates are swapped", () => {
  // gate 0 reads coordinate 1 (attribute b's direction), gate 1 reads coordinate 0 (a's)
  const steerer: Steerer = {
    attributes: ["a", "b"],
    theta: [new Float64Array(2), new Float64Array(2)],
    gateW: [Float64Array.from([0, -10]), Float64Array.from([-10, 0])],
    gateB: [5, 5],
    multiplier: 1,
    normPreserve: true,
  };
  const acts = {
    a: { positive: [[1, 0]], negative: [[0, 0]] },
    b: { positive: [[0, 1]], negative: [[0, 0]] },
  };
  const own = ownGates(steerer, acts);
  assert.deepEqual(own, { a: 1, b: 0 });
  const b = gateBehaviour(steerer, own, acts);
  assert.ok(b.undesirable > 0.99, `open on negatives: ${b.undesirable}`);
  assert.ok(b.desirable < 0.01, `shut on positives: ${b.desirable}`);
});
