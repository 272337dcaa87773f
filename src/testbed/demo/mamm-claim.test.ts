import assert from "node:assert/strict";
import { test } from "node:test";
import {
  type ArmItemResult,
  balancedAccuracy,
  mammVerdict,
  mammArmNames as N,
} from "./mamm-claim.ts";

test("balanced accuracy: the mean of the recall on unfaithful and on faithful sentences", () => {
  const gold = [true, false, false, false];
  assert.equal(balancedAccuracy([{ gold, flagged: [true, false, false, false] }]), 1);
  assert.equal(balancedAccuracy([{ gold, flagged: [false, false, false, false] }]), 0.5);
  assert.equal(balancedAccuracy([{ gold, flagged: [true, true, true, true] }]), 0.5);
  assert.equal(balancedAccuracy([{ gold, flagged: [true, true, false, false] }]), (1 + 2 / 3) / 2);
});

/** n summaries of 4 sentences (the first unfaithful) on which a detector is right with rate `hit`. */
function arm(
  n: number,
  hit: number,
  faith: number,
  extra: Partial<ArmItemResult> = {},
): ArmItemResult[] {
  return Array.from({ length: n }, (_, i) => {
    const right = (i * 7919) % 100 < hit * 100;
    const gold = [true, false, false, false];
    return {
      gold,
      flagged: right ? gold : [false, true, false, false],
      secondFirstRound: right ? gold : [false, false, true, false],
      critiqued: 1,
      critiqueExact: right ? 1 : 0,
      faithfulness: faith,
      faithfulnessBefore: 0.75,
      preserved: 1,
      ...extra,
    };
  });
}

test("the verdict: ordered detection, RERANK ahead, refinement helping, a flat null world → REPRODUCED", () => {
  const v = mammVerdict(
    {
      [N.one]: arm(200, 0.65, 0.8),
      [N.multiAgent]: arm(200, 0.8, 0.85),
      [N.multiModel]: arm(200, 0.95, 0.95),
      [N.generate]: arm(200, 0.95, 0.85, { critiqueExact: 0 }),
      [N.nullWorld]: arm(200, 0.65, 0.8),
    },
    1,
  );
  assert.ok(v.precondition.pass);
  assert.deepEqual(
    v.checks.map((c) => c.pass),
    [true, true, true, true, true],
  );
  assert.ok(v.nullWorld.pass);
  assert.equal(v.reproduced, true);
});

test("a weak detector fails the precondition, and a null-world gain fails the rule", () => {
  const v = mammVerdict(
    {
      [N.one]: arm(100, 0.1, 0.8),
      [N.multiAgent]: arm(100, 0.8, 0.85),
      [N.multiModel]: arm(100, 0.95, 0.95),
      [N.generate]: arm(100, 0.95, 0.85),
      [N.nullWorld]: arm(100, 0.9, 0.8),
    },
    1,
  );
  assert.equal(v.precondition.pass, false);
  assert.equal(v.nullWorld.pass, false);
  assert.equal(v.reproduced, false);
  // equal critique accuracy is no RERANK win
  assert.equal(v.checks[2]!.pass, false);
});
