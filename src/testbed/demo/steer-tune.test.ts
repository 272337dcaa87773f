import assert from "node:assert/strict";
import { test } from "node:test";
import { chooseAlpha } from "./steer-tune.ts";

test("α: best validation accuracy among strengths that keep QA within 5 points", () => {
  const scores = [
    { alpha: 0.5, accuracy: 0.6, qa: 0.8 },
    { alpha: 1, accuracy: 0.7, qa: 0.78 },
    { alpha: 2, accuracy: 0.7, qa: 0.76 },
    { alpha: 4, accuracy: 0.9, qa: 0.5 },
  ];
  // α 4 is best on accuracy but breaks QA; 1 and 2 tie, the smaller wins
  assert.equal(chooseAlpha(scores, 0.8), 1);
  // with a model that knows nothing, QA cannot fall: the best accuracy wins
  assert.equal(chooseAlpha(scores, 0.4), 4);
  // every α breaks QA: the smallest
  assert.equal(chooseAlpha(scores, 0.95), 0.5);
  assert.throws(() => chooseAlpha([], 0.5), /at least one/);
});
