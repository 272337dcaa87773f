import assert from "node:assert/strict";
import { test } from "node:test";
import { type SteerAttribute, steerAttributes } from "../atlas/steer-items.ts";
import { type SteerItemOutcome, steerReport } from "./steer-report.ts";

const own = {
  spec: { truthful: 0, polite: 1, fair: 2 },
  median: { truthful: 0, polite: 0, fair: 0 },
};

/** Synthetic outcomes: `mat` and `md` say which items MAT (median) and mean difference get right. */
function outcomes(o: {
  unsteered: (i: number) => boolean;
  mat: (i: number) => boolean;
  md: (i: number) => boolean;
  single: (i: number) => boolean;
  klMat: number;
  klMd: number;
}): SteerItemOutcome[] {
  const rows: SteerItemOutcome[] = [];
  // the own gate (index 0 for median) differs from the others, so the report must pick it
  const gates = (g: number) => ({ spec: [g, g, g], median: [g, 1 - g, 1 - g] });
  for (const attribute of steerAttributes as readonly SteerAttribute[])
    for (let i = 0; i < 100; i++) {
      rows.push({
        id: `u-${attribute}-${i}`,
        kind: "undesirable",
        attribute,
        correct: {
          unsteered: o.unsteered(i),
          "mat-spec": false,
          "mat-median": o.mat(i),
          "mean-diff": o.md(i),
        },
        single: o.single(i),
        gates: gates(0.9),
      });
      if (i < 33)
        rows.push({
          id: `d-${attribute}-${i}`,
          kind: "desirable",
          attribute,
          correct: { unsteered: true, "mat-spec": true, "mat-median": true, "mean-diff": true },
          kl: { "mat-spec": 1, "mat-median": o.klMat, "mean-diff": o.klMd },
          gates: gates(0.05),
        });
    }
  for (let i = 0; i < 50; i++)
    rows.push({
      id: `n-${i}`,
      kind: "neutral",
      correct: { unsteered: i < 25, "mat-spec": false, "mat-median": i < 25, "mean-diff": i < 20 },
      kl: { "mat-spec": 1, "mat-median": o.klMat, "mean-diff": o.klMd },
      gates: { spec: [0.1, 0.3, 0.2], median: [0.1, 0.3, 0.2] },
    });
  return rows;
}

test("MAT as accurate as mean difference with a quarter of its KL, no interference: REPRODUCED", () => {
  const r = steerReport(
    outcomes({
      unsteered: (i) => i < 40,
      mat: (i) => i < 80,
      md: (i) => i < 75,
      single: (i) => i < 81,
      klMat: 0.01,
      klMd: 0.04,
    }),
    "median",
    own,
  );
  assert.deepEqual(r.n, { undesirable: 300, desirable: 99, neutral: 50 });
  assert.equal(r.accuracy.unsteered.mean.mean, 40);
  assert.equal(r.accuracy["mat-median"].truthful.mean, 80);
  assert.equal(r.delta.mean, 5);
  assert.ok(r.delta.low > 0 && r.delta.high < 10);
  assert.equal(r.preservation["mean-diff"].mean, 100);
  assert.equal(r.qa["mean-diff"].mean, 40);
  assert.ok(Math.abs(r.kl["mat-median"].desirable.mean - 0.01) < 1e-12);
  assert.ok(Math.abs(r.checks[1]!.value - 4) < 1e-9);
  assert.equal(r.interference.polite.mean, -1);
  const near = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-9, `${a} ≠ ${b}`);
  near(r.gates.median.undesirable, 0.9);
  near(r.gates.median.desirable, 0.05);
  near(r.gates.median.neutral, 0.3);
  assert.deepEqual(
    r.checks.map((c) => c.passed),
    [true, true, true, true],
  );
  assert.equal(r.reproduced, true);
});

test("each check can fail: lower accuracy, KL under 2× lower, interference beyond 3 points", () => {
  const worse = steerReport(
    outcomes({
      unsteered: (i) => i < 40,
      mat: (i) => i < 70,
      md: (i) => i < 75,
      single: (i) => i < 80,
      klMat: 0.03,
      klMd: 0.04,
    }),
    "median",
    own,
  );
  assert.equal(worse.delta.mean, -5);
  assert.deepEqual(
    worse.checks.map((c) => c.passed),
    [false, false, false, false],
  );
  assert.equal(worse.interference.fair.mean, -10);
  assert.equal(worse.reproduced, false);
  // the claim is judged on the chosen setting: the spec's MAT here gets nothing right
  const spec = steerReport(
    outcomes({
      unsteered: () => false,
      mat: () => true,
      md: () => false,
      single: () => true,
      klMat: 0,
      klMd: 1,
    }),
    "spec",
    own,
  );
  assert.equal(spec.delta.mean, 0);
  assert.equal(spec.checks[1]!.value, 1);
  assert.equal(spec.reproduced, false);
});
