import assert from "node:assert/strict";
import { test } from "node:test";
import type { ContextSet } from "./context-items.ts";
import { contextReport } from "./context-report.ts";
import type { DecodingOutcome, ItemOutcome } from "./context-run.ts";

const out = (correct: boolean, alpha = 0): DecodingOutcome => ({ answer: "x", correct, alpha });

function item(set: ContextSet, i: number, g: boolean, c: boolean, a: boolean, alpha: number) {
  return {
    id: `${set}-${i}`,
    set,
    exposures: 10,
    gold: "x",
    outcomes: { greedy: out(g), cad: out(c, 1), adacad: out(a, alpha) },
  } satisfies ItemOutcome;
}

test("the claim holds when AdaCAD fixes conflicts and keeps agreeing answers", () => {
  const rows: ItemOutcome[] = [];
  for (let i = 0; i < 100; i++) {
    // Conflict: greedy follows memory (wrong 60%), CAD and AdaCAD follow the context.
    rows.push(item("conflict", i, i >= 60, true, true, 0.5 + (i % 10) / 100));
    // Agreeing: CAD over-corrects in 30%, AdaCAD (small α) keeps the memorised answer.
    rows.push(item("agreeing", i, true, i >= 30, true, 0.05 + (i % 10) / 200));
    rows.push(item("context-only", i, true, true, true, 0.3));
  }
  const r = contextReport(rows);
  assert.equal(r.n.mixed, 200);
  assert.equal(r.accuracy.greedy.conflict.mean, 40);
  assert.equal(r.accuracy.cad.agreeing.mean, 70);
  assert.equal(r.delta.greedy.conflict.mean, 60);
  assert.ok(r.delta.greedy.conflict.low > 40 && r.delta.greedy.conflict.high <= 70);
  assert.equal(r.delta.cad.agreeing.mean, 30);
  assert.equal(r.alphaAuroc, 1);
  assert.ok(r.meanAlpha.conflict > r.meanAlpha.agreeing);
  assert.deepEqual(
    r.checks.map((c) => c.passed),
    [true, true, true, true],
  );
  assert.equal(r.reproduced, true);
});

test("no gain (AdaCAD = greedy) is NOT REPRODUCED, and a gain inside the noise fails too", () => {
  const same: ItemOutcome[] = [];
  for (let i = 0; i < 50; i++) {
    same.push(item("conflict", i, i % 2 === 0, true, i % 2 === 0, 0.2));
    same.push(item("agreeing", i, true, true, true, 0.2));
  }
  const r = contextReport(same);
  assert.equal(r.delta.greedy.conflict.mean, 0);
  assert.equal(r.alphaAuroc, 0.5);
  assert.equal(r.reproduced, false);
  // +12 points on 25 items with much discordance: the point estimate passes, the CI does not.
  const noisy: ItemOutcome[] = [];
  for (let i = 0; i < 25; i++) {
    noisy.push(item("conflict", i, i < 12, true, i >= 9, 0.4));
    noisy.push(item("agreeing", i, true, i >= 20, true, 0.1));
  }
  const n = contextReport(noisy);
  assert.equal(n.delta.greedy.conflict.mean, 16);
  assert.ok(n.delta.greedy.conflict.low <= 0);
  assert.equal(n.checks[0]!.passed, false);
  assert.equal(n.reproduced, false);
});
