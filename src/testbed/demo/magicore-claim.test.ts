import assert from "node:assert/strict";
import { test } from "node:test";
import type { EvalRecord } from "../../evals/eval-record.ts";
import { answerAfter, magicoreMethods, magicoreVerdict } from "./magicore-claim.ts";

const usage = (outputTokens: number) => ({
  inputTokens: 0,
  outputTokens,
  calls: 1,
  reusedCalls: 0,
});

/** n problems with gold "7"; MAgICoRe right after iteration 1 on `fixed` of them. */
function records(
  n: number,
  o: { fixed: number; poolRight: number; hard: number; scRight: number },
) {
  const out: EvalRecord[] = [];
  for (let i = 0; i < n; i++) {
    const itemId = `p${i}`;
    const hard = i < o.hard;
    const right = i < o.fixed;
    const pool = Array.from({ length: 4 }, (_, j) => ({
      answer: j < o.poolRight ? "7" : "1",
      orm: 0.5,
      prm: [0.5],
    }));
    const iterations = [
      { iteration: 1, hard, answer: right ? "7" : "1", pool },
      ...(hard ? [{ iteration: 2, hard: false, answer: right ? "7" : "1" }] : []),
    ];
    const rec = (method: string, correct: boolean, tokens: number, details = {}) =>
      out.push({
        method,
        itemId,
        prediction: correct ? "7" : "1",
        gold: "7",
        correct,
        score: correct ? 1 : 0,
        usage: usage(tokens),
        wallMs: 1,
        details,
      });
    rec(magicoreMethods.magicore, right, 500, { iterations, initialAnswer: "1" });
    rec(magicoreMethods.or, i < o.scRight, 600, {
      iterations: [{ iteration: 1, hard: true, answer: "1" }],
    });
    for (const m of [magicoreMethods.sc, magicoreMethods.bestOfK, magicoreMethods.rmVote])
      rec(m, i < o.scRight, 100);
    for (const m of [magicoreMethods.sc3k, magicoreMethods.rmVote3k]) rec(m, i < o.scRight, 300);
  }
  return out;
}

test("answerAfter takes the last iteration up to t, else the initial answer", () => {
  const trace = [
    { iteration: 1, hard: true, answer: "a" },
    { iteration: 2, hard: false, answer: "b" },
  ];
  assert.equal(answerAfter(trace, 1, "x"), "a");
  assert.equal(answerAfter(trace, 3, "x"), "b");
  assert.equal(answerAfter([], 2, "x"), "x");
});

test("a clear MAgICoRe win with a working solver passes every check", () => {
  const recs = records(200, { fixed: 160, poolRight: 2, hard: 40, scRight: 80 });
  const v = magicoreVerdict(recs, new Map(recs.map((r) => [r.itemId, 20])), 1);
  assert.equal(v.singleSampleAccuracy, 0.5);
  assert.ok(v.precondition);
  assert.ok(v.delta.sc.low > 0);
  assert.equal(v.tokensPerProblem["magicore@1"], 120);
  assert.deepEqual(v.refinedShare, { and: [0.2, 0, 0], or: 1 });
  assert.deepEqual(
    v.checks.map((c) => c.pass),
    [true, true, true, true],
  );
  assert.ok(v.reproduced);
});

test("a solver that is never right fails the precondition and the claim", () => {
  const recs = records(50, { fixed: 0, poolRight: 0, hard: 50, scRight: 0 });
  const v = magicoreVerdict(recs, new Map(), 1);
  assert.equal(v.singleSampleAccuracy, 0);
  assert.equal(v.precondition, false);
  assert.equal(v.checks[0]!.pass, false);
  assert.equal(v.checks[3]!.pass, false); // refines 100% > 30%
  assert.equal(v.reproduced, false);
  assert.equal(v.noRefinement, false);
});
