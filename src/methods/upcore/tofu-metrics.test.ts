import assert from "node:assert/strict";
import { test } from "node:test";
import { modelUtility } from "./evaluate.ts";
import {
  firstTokenMatch,
  harmonicMean,
  normalisedProbability,
  relativeProbability,
  truthRatio,
  truthRatioScore,
} from "./tofu-metrics.ts";

const close = (a: number, b: number, tol = 1e-9) =>
  assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);
const ln = Math.log;

test("Prob.: P̃ = exp(−mean NLL); Real Authors/World Facts normalise over the perturbed", () => {
  close(normalisedProbability(ln(2)), 0.5);
  // P̃(correct) = 0.5, P̃(perturbed) = 0.25, 0.25 ⇒ 0.5 / (0.5 + 0.25 + 0.25) = 0.5
  close(relativeProbability(ln(2), [ln(4), ln(4)]), 0.5);
  // 0.8 / (0.8 + 0.1 + 0.1 + 0.2) = 2/3
  close(relativeProbability(-ln(0.8), [ln(10), ln(10), ln(5)]), 2 / 3);
});

test("Truth Ratio: R = mean P̃(perturbed) / P̃(reference); retain max(0, 1 − R), forget min(R, 1/R)", () => {
  // P̃(reference) = 0.5, P̃(perturbed) = 0.25 and 0.125 ⇒ R = 0.1875 / 0.5 = 0.375
  const r = truthRatio(ln(2), [ln(4), ln(8)]);
  close(r, 0.375);
  close(truthRatioScore(r, "retain"), 0.625);
  close(truthRatioScore(r, "forget"), 0.375);
  // R = 2 (the model prefers the wrong answers): retain 0, forget 1/2
  const r2 = truthRatio(ln(4), [ln(2)]);
  close(r2, 2);
  close(truthRatioScore(r2, "retain"), 0);
  close(truthRatioScore(r2, "forget"), 0.5);
  assert.throws(() => truthRatio(ln(2), []), /perturbed/);
});

test("harmonic mean (scipy hmean) and Model Utility over retain, real-authors, world-facts", () => {
  close(harmonicMean([1, 0.5, 0.25]), 3 / 7);
  assert.equal(harmonicMean([0.9, 0, 0.5]), 0);
  assert.throws(() => harmonicMean([0.5, -0.1]), /≥ 0/);
  // 6 values: 1/1 + 1/0.5 + 1/0.25 + 3 · 1/0.5 = 13 ⇒ 6/13; nneigh is not part of it
  const mu = modelUtility({
    retain: { items: 2, rouge: 1, genAcc: 0, prob: 0.5, truthRatio: 0.25 },
    "real-authors": { items: 2, rouge: 0.5, genAcc: 1, prob: 0.5, truthRatio: 0.5 },
    nneigh: { items: 2, rouge: 0.01, genAcc: 0, prob: 0.01, truthRatio: 0.01 },
  });
  close(mu!.value, 6 / 13);
  assert.deepEqual(mu!.components, [
    "retain.rouge",
    "retain.prob",
    "retain.truthRatio",
    "real-authors.rouge",
    "real-authors.prob",
    "real-authors.truthRatio",
  ]);
  assert.equal(modelUtility({ nneigh: { items: 1, rouge: 1, genAcc: 1 } }), undefined);
});

test("gen_acc: the one new token equals the answer after strip + lowercase", () => {
  assert.equal(firstTokenMatch(" Philadelphia", "Philadelphia"), 1);
  assert.equal(firstTokenMatch(" paris\n", " Paris "), 1);
  assert.equal(firstTokenMatch(" Phil", "Philadelphia"), 0);
  // a multi-token answer never matches one token
  assert.equal(firstTokenMatch(" New", "New York"), 0);
  assert.equal(firstTokenMatch("", "Europe"), 0);
});
