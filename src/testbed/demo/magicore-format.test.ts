import assert from "node:assert/strict";
import { test } from "node:test";
import { renderScoredSolution, splitSteps } from "../../methods/magicore/steps.ts";
import {
  chainAnswer,
  firstError,
  flaggedStep,
  refinedSolution,
  refinerPrompt,
  reviewerPrompt,
  solutionSteps,
  solutionText,
  stepLabels,
  worldScored,
} from "./magicore-format.ts";

const gold =
  "step 1 : b = 6 5 1 . step 2 : j = b - 5 1 8 = 6 5 1 - 5 1 8 = 1 3 3 . step 3 : y = j + 1 5 7 = 1 3 3 + 1 5 7 = 2 9 0 . answer : 2 9 0 .";
// wrong from step 2 on (6 5 1 − 5 1 8 is 1 3 3, not 1 4 3)
const wrong =
  " step 1 : b = 6 5 1 . step 2 : j = b - 5 1 8 = 6 5 1 - 5 1 8 = 1 4 3 . step 3 : y = j + 1 5 7 = 1 4 3 + 1 5 7 = 3 0 0 . answer : 3 0 0 . Q: what";

test("solutionText puts each step on its own line, keeps the answer with the last, cuts at Q:", () => {
  const text = solutionText(wrong);
  assert.deepEqual(text.split("\n"), [
    "step 1 : b = 6 5 1 .",
    "step 2 : j = b - 5 1 8 = 6 5 1 - 5 1 8 = 1 4 3 .",
    "step 3 : y = j + 1 5 7 = 1 4 3 + 1 5 7 = 3 0 0 . answer : 3 0 0 .",
  ]);
  // the method's own splitter sees the same three steps
  assert.equal(splitSteps(text).length, 3);
});

test("chainAnswer reads the number after `answer :`, null without one", () => {
  assert.equal(chainAnswer(solutionText(gold)), "290");
  assert.equal(chainAnswer(solutionText(wrong)), "300");
  assert.equal(chainAnswer("step 1 : b = 6 5 1 ."), null);
  assert.equal(chainAnswer("answer : x ."), null);
});

test("step labels are exact first-error labels against the gold steps", () => {
  const g = solutionSteps(solutionText(gold));
  const w = solutionSteps(solutionText(wrong));
  assert.deepEqual(stepLabels(w, g), [true, false, false]);
  assert.equal(firstError(w, g), 1);
  assert.deepEqual(stepLabels(g, g), [true, true, true]);
  assert.equal(firstError(g, g), 3);
  // an extra step past the gold solution is wrong
  assert.deepEqual(stepLabels([...g, "step 4 : x = 1 ."], g), [true, true, true, false]);
});

test("scored solutions are written in world words: ( n ) after each step, one line", () => {
  const steps = solutionSteps(solutionText(wrong));
  const scored = renderScoredSolution(steps, [0.97, 0.34, 1]);
  assert.equal(
    worldScored(scored),
    "step 1 : b = 6 5 1 . ( 1 0 ) step 2 : j = b - 5 1 8 = 6 5 1 - 5 1 8 = 1 4 3 . ( 3 ) step 3 : y = j + 1 5 7 = 1 4 3 + 1 5 7 = 3 0 0 . answer : 3 0 0 . ( 1 0 )",
  );
  assert.match(
    reviewerPrompt("b = 6 5 1 . what is y ?", scored),
    /^Q: b = 6 5 1 \. what is y \? A: step 1 .* which step \?$/,
  );
});

test("the refiner keeps the steps before the flagged one, then the feedback's step", () => {
  const steps = solutionSteps(solutionText(wrong));
  const scored = renderScoredSolution(steps, [0.9, 0.2, 0.1]);
  const feedback = " step 2 : j = b - 5 1 8 = 6 5 1 - 5 1 8 = 1 3 3 . step 3 : junk";
  assert.deepEqual(flaggedStep(feedback), {
    index: 1,
    text: "step 2 : j = b - 5 1 8 = 6 5 1 - 5 1 8 = 1 3 3 .",
  });
  const prompt = refinerPrompt("q ?", scored, feedback);
  assert.equal(
    prompt,
    "Q: q ? A: step 1 : b = 6 5 1 . step 2 : j = b - 5 1 8 = 6 5 1 - 5 1 8 = 1 3 3 .",
  );
  const refined = refinedSolution(
    prompt,
    " step 3 : y = j + 1 5 7 = 1 3 3 + 1 5 7 = 2 9 0 . answer : 2 9 0 .",
  );
  assert.equal(refined, solutionText(gold));
  // no step named: start afresh
  assert.equal(refinerPrompt("q ?", scored, "what"), "Q: q ? A:");
  assert.equal(flaggedStep("step 0 : x ."), null);
});
