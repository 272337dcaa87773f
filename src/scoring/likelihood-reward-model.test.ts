import assert from "node:assert/strict";
import { test } from "node:test";
import { CapabilityError } from "../model/errors.ts";
import { ScriptedModel } from "../testing/scripted-model.ts";
import { LikelihoodRewardModel } from "./likelihood-reward-model.ts";

test("likelihood RM: exp(mean token log-prob) of the solution after the question", async () => {
  const model = new ScriptedModel({
    id: "lm",
    script: () => ({ generations: [{ text: "", finishReason: "stop" }] }),
    // Every token of "good" answers has p = 0.5; other answers p = 0.1 on two tokens.
    score: (r) =>
      r.continuation.includes("good")
        ? [
            { token: "go", logprob: Math.log(0.5), top: [] },
            { token: "od", logprob: Math.log(0.5), top: [] },
            { token: "!", logprob: Math.log(0.5), top: [] },
          ]
        : [
            { token: "b", logprob: Math.log(0.1), top: [] },
            { token: "ad", logprob: Math.log(0.1), top: [] },
          ],
  });
  const rm = new LikelihoodRewardModel(model);
  assert.equal(rm.name, "likelihood:lm");
  const s = await rm.scoreOutcomes([
    { question: "q", solution: "good!" },
    { question: "q", solution: "bad" },
    { question: "q", solution: "" },
  ]);
  assert.ok(Math.abs(s[0]! - 0.5) < 1e-12);
  assert.ok(Math.abs(s[1]! - 0.1) < 1e-12);
  assert.equal(s[2], 0);
  const plain = new ScriptedModel({ script: () => ({ generations: [] }) });
  assert.throws(() => new LikelihoodRewardModel(plain), CapabilityError);
});
