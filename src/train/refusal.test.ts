import assert from "node:assert/strict";
import { test } from "node:test";
import { refusalRecords } from "./refusal.ts";

test("refusal records pair every prompt with a seeded choice of refusal", () => {
  const refusals = ["I don't know.", "I'm not certain about that."];
  const a = refusalRecords(["Q1", "Q2", "Q3", "Q4"], refusals, { seed: 3 });
  assert.equal(a.length, 4);
  for (const r of a) assert.ok(refusals.map((s) => ` ${s}`).includes(r.completion));
  assert.deepEqual(refusalRecords(["Q1", "Q2", "Q3", "Q4"], refusals, { seed: 3 }), a);
  assert.throws(() => refusalRecords(["Q"], []), /at least one refusal/);
});
