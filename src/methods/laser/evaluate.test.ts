import assert from "node:assert/strict";
import { test } from "node:test";
import { accuracyOf, evaluateGreedy, finalAnswer, judgeResponse } from "./evaluate.ts";

test("final answer: the last 'Final answer:' line, else the answer type's extraction", () => {
  assert.equal(finalAnswer("step 1\nFinal answer: 12.\nFinal answer: 14"), "14");
  assert.equal(finalAnswer("no marker"), undefined);
  const item = { id: "q", prompt: "p", answer: "14" };
  assert.deepEqual(judgeResponse(item, "so... Final answer: 14.", { answerType: "number" }), {
    predicted: "14",
    correct: true,
  });
  assert.equal(judgeResponse(item, "the answer is 14", { answerType: "number" }).correct, true);
  assert.equal(judgeResponse(item, "Final answer: 13", { answerType: "number" }).correct, false);
  assert.equal(
    judgeResponse({ id: "x", prompt: "p" }, "Final answer: 14").correct,
    false,
    "no gold",
  );
  const custom = judgeResponse(item, "xx14", { extract: (_i, r) => r.slice(2) });
  assert.deepEqual(custom, { predicted: "14", correct: true });
});

test("greedy evaluation: one temperature-0 sample per item, accuracy per family with CIs", async () => {
  const asked: Array<{ n: number; temperature: number }> = [];
  const policy = {
    sample: async (prompts: readonly string[], o: { n: number; temperature: number }) => {
      asked.push({ n: o.n, temperature: o.temperature });
      return prompts.map((p) => [`Final answer: ${p.length}`]);
    },
  };
  const items = [
    { id: "a", prompt: "abc", answer: "3", family: "x" },
    { id: "b", prompt: "abcd", answer: "5", family: "x" },
    { id: "c", prompt: "ab", answer: "2", family: "y" },
  ];
  const outcomes = await evaluateGreedy(policy, items, { answerType: "number", maxTokens: 8 });
  assert.deepEqual(
    outcomes.map((o) => o.correct),
    [true, false, true],
  );
  assert.deepEqual(asked[0], { n: 1, temperature: 0 });
  // each outcome says what was asked, for a run folder's reader
  assert.deepEqual([outcomes[1]!.prompt, outcomes[1]!.gold], ["abcd", "5"]);
  const acc = accuracyOf(outcomes);
  assert.ok(Math.abs(acc.accuracy.mean - 2 / 3) < 1e-12);
  assert.equal(acc.byFamily.x!.mean, 0.5);
  assert.equal(acc.byFamily.y!.n, 1);
  assert.ok(acc.accuracy.low <= acc.accuracy.mean && acc.accuracy.mean <= acc.accuracy.high);
});
