import assert from "node:assert/strict";
import { test } from "node:test";
import {
  judgeUpcoreClaim,
  spearman,
  type UpcoreRunSummary,
  type UpcoreSelectionName,
} from "./upcore-claim.ts";

function run(
  forgetSet: string,
  seed: number,
  selection: UpcoreSelectionName,
  auc: number,
  extra: Partial<UpcoreRunSummary> = {},
): UpcoreRunSummary {
  return {
    forgetSet,
    seed,
    method: "ga",
    selection,
    trainItems: 10,
    auc: { utility: auc, neighbours: auc, retain: auc },
    forgetRouge: { start: 1, end: 0.2 },
    utility: { start: 0.9, end: 0.7 },
    prunedRouge: { start: 1, end: 0.3 },
    ...extra,
  };
}

/** Three forget sets × two seeds; UPCORE's AUC exceeds the others' by `gain` (+ a little noise). */
function grid(gain: number, extra: Partial<UpcoreRunSummary> = {}): UpcoreRunSummary[] {
  return ["a", "b", "c"].flatMap((set, s) =>
    [1, 2].flatMap((seed) => [
      run(set, seed, "upcore", 0.5 + gain + 0.001 * (s + seed), extra),
      run(set, seed, "random", 0.5, extra),
      run(set, seed, "complete", 0.5 - 0.001 * seed, extra),
    ]),
  );
}

test("spearman: hand values, ties get average ranks", () => {
  assert.equal(spearman([1, 2, 3, 4], [10, 20, 30, 40]), 1);
  assert.equal(spearman([1, 2, 3, 4], [4, 3, 2, 1]), -1);
  // ranks a = [1, 2.5, 2.5, 4], b = [1, 2, 3, 4]: ρ = 4.5 / √(4.5 · 5)
  assert.ok(Math.abs(spearman([1, 2, 2, 3], [1, 2, 3, 4]) - 4.5 / Math.sqrt(4.5 * 5)) < 1e-12);
});

test("UPCORE ahead of both baselines with forgotten pruned facts and rising damage: REPRODUCED", () => {
  const runs = grid(0.05).map((r) =>
    r.selection === "complete"
      ? { ...r, utility: { start: 0.9, end: 0.9 - { a: 0.1, b: 0.2, c: 0.3 }[r.forgetSet]! } }
      : r,
  );
  const v = judgeUpcoreClaim(runs, { a: 1, b: 2, c: 3 });
  assert.equal(v.reproduced, true, JSON.stringify(v.checks));
  assert.equal(v.methods[0]!.pairs, 6);
  assert.ok(v.methods[0]!.deltaVsRandom.low > 0.04);
  assert.equal(v.varianceDamageRho, 1);
  assert.equal(v.noDifference, false);
});

test("each failed check makes it NOT REPRODUCED", () => {
  const variance = { a: 1, b: 2, c: 3 };
  const behind = judgeUpcoreClaim(grid(-0.05), variance);
  assert.equal(behind.reproduced, false);
  assert.equal(behind.checks.find((c) => c.name.includes("random"))!.pass, false);
  const kept = judgeUpcoreClaim(grid(0.05, { prunedRouge: { start: 0.8, end: 0.8 } }), variance);
  assert.equal(kept.checks.find((c) => c.name.includes("positive transfer"))!.pass, false);
  assert.equal(kept.reproduced, false);
  // equal damage everywhere: ρ undefined (NaN), which is not > 0
  assert.equal(judgeUpcoreClaim(grid(0.05), variance).reproduced, false);
});

test("the null world's reading: no difference when UPCORE ≈ random", () => {
  const v = judgeUpcoreClaim(grid(0.002), { a: 1, b: 2, c: 3 });
  assert.equal(v.noDifference, true);
  const two = grid(0.05).filter((r) => r.forgetSet !== "c");
  const smoke = judgeUpcoreClaim(two, { a: 1, b: 2 });
  assert.equal(smoke.varianceDamageRho, null, "ρ needs three forget sets");
  assert.equal(smoke.reproduced, true);
});

test("with the strong recipe's precondition, a recipe that forgets too little fails the claim", () => {
  const winning = grid(0.05).map((r) =>
    r.selection === "complete"
      ? { ...r, utility: { start: 0.9, end: 0.9 - { a: 0.1, b: 0.2, c: 0.3 }[r.forgetSet]! } }
      : r,
  );
  const forgets = judgeUpcoreClaim(winning, { a: 1, b: 2, c: 3 }, 0, 0.5);
  assert.equal(forgets.precondition?.pass, true);
  assert.equal(forgets.reproduced, true);
  const stuck = winning.map((r) =>
    r.forgetSet === "b" && r.selection === "complete"
      ? { ...r, forgetRouge: { start: 1, end: 0.6 } }
      : r,
  );
  const v = judgeUpcoreClaim(stuck, { a: 1, b: 2, c: 3 }, 0, 0.5);
  assert.equal(v.precondition?.pass, false);
  assert.match(v.precondition!.detail, /0\.200, 0\.600, 0\.200/);
  assert.equal(
    v.checks.every((c) => c.pass),
    true,
  );
  assert.equal(v.reproduced, false);
  assert.equal(judgeUpcoreClaim(stuck, { a: 1, b: 2, c: 3 }).precondition, null);
});
