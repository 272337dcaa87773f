import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { EvalReport, MethodSummary } from "../../evals/eval-report.ts";
import { moeMethods, moeVerdict, recoveredFraction } from "./moe-claim.ts";

/** A report with these accuracies; versusFirst = method − Symbolic-MoE with a ±`half` CI. */
function report(acc: Record<keyof typeof moeMethods, number>, half = 0.02): EvalReport {
  const moe = acc.moe;
  const methods: MethodSummary[] = Object.entries(moeMethods).map(([key, name]) => {
    const a = acc[key as keyof typeof moeMethods];
    return {
      method: name,
      items: 100,
      accuracy: { mean: a, low: a - 0.05, high: a + 0.05 },
      tokensPerItem: 0,
      callsPerItem: 0,
      reusedCallsPerItem: 0,
      wallMs: 0,
      ...(name === moeMethods.moe
        ? {}
        : { versusFirst: { mean: a - moe, low: a - moe - half, high: a - moe + half } }),
    };
  });
  return { dataset: "abacus", split: "test", items: 100, seed: 1, methods };
}

const good = { raw: 0.8, filtered: 0.95 };
const loads = { expertPhase: 3, distinctRecruited: 3 };

describe("the Symbolic-MoE decision rule", () => {
  it("reproduces when MoE beats best and random and recovers >= 70% of the oracle's gain", () => {
    const v = moeVerdict(
      report({ moe: 0.9, best: 0.8, random: 0.75, all: 0.82, oracle: 0.92 }),
      good,
      loads,
    );
    assert.equal(v.recovered?.toFixed(3), (0.1 / 0.12).toFixed(3));
    assert.ok(v.checks.every((c) => c.pass));
    assert.equal(v.reproduced, true);
    assert.equal(v.noGain, false);
    assert.ok(Math.abs(v.delta.best.mean - 0.1) < 1e-9 && Math.abs(v.delta.best.low - 0.08) < 1e-9);
  });

  it("fails on a CI touching 0, on a small recovered fraction, and on precision or loads", () => {
    const wide = moeVerdict(
      report({ moe: 0.85, best: 0.84, random: 0.7, all: 0.8, oracle: 0.95 }),
      good,
      loads,
    );
    assert.equal(wide.checks[0]!.pass, false);
    assert.equal(wide.checks[2]!.pass, false, "0.01 of 0.11 recovered");
    assert.equal(wide.reproduced, false);
    assert.equal(wide.noGain, true);
    const rest = moeVerdict(
      report({ moe: 0.9, best: 0.8, random: 0.75, all: 0.82, oracle: 0.92 }),
      { raw: 0.9, filtered: 0.9 },
      { expertPhase: 4, distinctRecruited: 3 },
    );
    assert.deepEqual(
      rest.checks.map((c) => c.pass),
      [true, true, true, false, false],
    );
  });

  it("calls a tiny oracle gain a failed precondition, not a refutation", () => {
    const v = moeVerdict(
      report({ moe: 0.8, best: 0.8, random: 0.7, all: 0.8, oracle: 0.81 }),
      good,
      loads,
    );
    assert.equal(v.precondition, false);
    assert.match(v.checks[2]!.detail, /precondition failed/);
    assert.equal(v.recovered, null, "1 point of oracle gain gives no ratio");
    assert.equal(recoveredFraction(0.84, 0.8, 0.81), null);
    assert.ok(Math.abs(recoveredFraction(0.82, 0.8, 0.84)! - 0.5) < 1e-9);
  });
});
