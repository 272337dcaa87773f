import assert from "node:assert/strict";
import { test } from "node:test";
import type { EvalRecord } from "../../evals/eval-record.ts";
import { utdebugVerdict, verdictWords } from "./utdebug-claim.ts";
import { utdebugArms } from "./utdebug-methods.ts";

const usage = { inputTokens: 0, outputTokens: 0, calls: 0, reusedCalls: 0 };
const n = 40;

/** Records where each arm scores 1 on the first `share` of the tasks (and regressions likewise). */
function records(
  pass1: Record<string, number>,
  accAttack: Record<string, number>,
  outputAccuracy: Record<string, number>,
  regressions: { with: number; without: number },
): EvalRecord[] {
  const a = utdebugArms;
  const out: EvalRecord[] = [];
  for (let i = 0; i < n; i++) {
    const itemId = `test-${String(i).padStart(4, "0")}`;
    const on = (share: number) => (i < share * n ? 1 : 0);
    const add = (method: string, score: number, details: Record<string, unknown>) =>
      out.push({
        method,
        itemId,
        prediction: null,
        gold: "pass",
        correct: score === 1,
        score,
        usage,
        wallMs: 0,
        details,
      });
    for (const [arm, share] of Object.entries(pass1)) {
      const regression =
        arm === a.utgen ? regressions.with : arm === a.noBacktrack ? regressions.without : 0;
      add(arm, on(share), { regression: on(regression) === 1 });
    }
    for (const [arm, share] of Object.entries(accAttack))
      add(arm, on(share), { attack: 1, outputAccuracy: on(outputAccuracy[arm] ?? 0) });
  }
  return out;
}

const a = utdebugArms;
const paperLike = {
  pass1: { [a.utgen]: 0.4, [a.oracle]: 0.6, [a.random]: 0.2, [a.noUt]: 0.1, [a.noBacktrack]: 0.35 },
  accAttack: {
    [a.utgenTests]: 0.5,
    [a.utgenVoted]: 0.6,
    [a.randomTests]: 0.2,
    [a.baseAdversarial]: 0.05,
    [a.baseRandom]: 0.05,
  },
  outputAccuracy: {
    [a.utgenTests]: 0.5,
    [a.utgenVoted]: 0.75,
    [a.randomTests]: 0.5,
    [a.baseAdversarial]: 0.1,
    [a.baseRandom]: 0.1,
  },
};

test("the rule reproduces when every pre-registered check holds", () => {
  const v = utdebugVerdict(
    records(paperLike.pass1, paperLike.accAttack, paperLike.outputAccuracy, {
      with: 0.05,
      without: 0.2,
    }),
  );
  assert.deepEqual(
    v.checks.map((c) => c.pass),
    [true, true, true, true],
  );
  assert.equal(v.precondition.pass, true);
  assert.equal(v.reproduced, true);
  assert.equal(verdictWords(v), "REPRODUCED");
  assert.ok(Math.abs(v.delta["pass@1 utgen - random-ut"]!.mean - 0.2) < 1e-9);
  assert.deepEqual(v.regressions, { backtracking: 0.05, noBacktracking: 0.2 });
  assert.equal(v.nullWorldNoGain, false);
});

test("a debugger that cannot use a right failing test fails the precondition; ties fail the checks", () => {
  const flat = Object.fromEntries(Object.keys(paperLike.pass1).map((k) => [k, 0.1]));
  const v = utdebugVerdict(
    records(flat, { ...paperLike.accAttack, [a.randomTests]: 0.5 }, paperLike.outputAccuracy, {
      with: 0.1,
      without: 0.1,
    }),
  );
  assert.equal(v.precondition.pass, false);
  assert.deepEqual(
    v.checks.map((c) => c.pass),
    [false, false, false, true],
  );
  assert.equal(verdictWords(v), "NOT REPRODUCED (precondition failed)");
  assert.equal(v.nullWorldNoGain, true);
});
