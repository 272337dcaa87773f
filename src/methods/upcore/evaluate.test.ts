import assert from "node:assert/strict";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { sharedFile } from "../../evals/shared-dir.ts";
import { generateGreedyEach, loadTokenizer, loadTransformer } from "../../train/index.ts";
import { answerNll, evaluateSet } from "./evaluate.ts";
import { relativeProbability } from "./tofu-metrics.ts";

const stories = sharedFile("models", "stories260K.gguf");
const close = (a: number, b: number, tol = 1e-9) =>
  assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

test("evaluateSet on stories260K: gen_acc, ROUGE, Prob. and Truth Ratio from the trainer's log-probs", {
  skip: stories ? false : "shared/models not found",
}, async () => {
  const { model } = await loadTransformer(stories!);
  const tok = await loadTokenizer(stories!);
  try {
    // Greedy: "Once upon a" → " time, there was"; "Lily and Ben went to the" → " park." whose
    // first token is " p", so gen_acc counts the first item only while ROUGE recall is 1 for both.
    const once = { id: "0", question: "Once upon a", answer: "time" };
    const park = { id: "1", question: "Lily and Ben went to the", answer: "park" };
    const plain = await evaluateSet(model, tok, [once, park], { role: "retain", maxNewTokens: 4 });
    close(plain.rouge, 1);
    close(plain.genAcc, 0.5);
    const nllTime = await answerNll(model, tok, once.question, "time");
    const nllPark = await answerNll(model, tok, park.question, "park");
    close(plain.prob!, (Math.exp(-nllTime) + Math.exp(-nllPark)) / 2);
    assert.equal(plain.truthRatio, undefined, "no perturbed answers, no Truth Ratio");

    // A perturbed answer equal to the answer: R = 1 ⇒ retain max(0, 1 − R) = 0, forget min(R, 1/R) = 1.
    const same = { ...once, perturbedAnswers: ["time"] };
    close(
      (await evaluateSet(model, tok, [same], { role: "retain", maxNewTokens: 1 })).truthRatio!,
      0,
    );
    close(
      (await evaluateSet(model, tok, [same], { role: "forget", maxNewTokens: 1 })).truthRatio!,
      1,
    );
    // TOFU Prob. of Real Authors/World Facts: two perturbed copies of the answer ⇒ exactly 1/3.
    const tofu = await evaluateSet(model, tok, [{ ...once, perturbedAnswers: ["time", "time"] }], {
      role: "tofu",
      maxNewTokens: 1,
    });
    close(tofu.prob!, 1 / 3);
    const nllKing = await answerNll(model, tok, once.question, "king");
    const mixed = await evaluateSet(model, tok, [{ ...once, perturbedAnswers: ["king"] }], {
      role: "tofu",
      maxNewTokens: 1,
    });
    close(mixed.prob!, relativeProbability(nllTime, [nllKing]));
    close(mixed.truthRatio!, Math.max(0, 1 - Math.exp(-nllKing) / Math.exp(-nllTime)));
  } finally {
    await tok.close();
  }
});

test("generateGreedyEach: batched decoding gives atlas-1m's one-at-a-time answers; evalBatch < 1 is refused", async () => {
  const path = fileURLToPath(new URL("../../../models/atlas-1m.gguf", import.meta.url));
  const { model } = await loadTransformer(path);
  const tok = await loadTokenizer(path);
  try {
    const questions = [
      "Q: What is the job of Ada Quill? A:",
      "Q: Where does Bo Marsh live? A:",
      "Q: What pet does Cy Vance have? A:",
      "Q: What is the favourite color of Dee Lark? A:",
      "Q: Which sport does Eli Rowe play? A:",
    ];
    const prompts = questions.map((q) => [tok.bos!, ...tok.tokenize(q)]);
    const options = { maxTokens: 3, stopTokens: [tok.eos!] };
    const each = (batchSize: number) =>
      generateGreedyEach(model, prompts, { ...options, batchSize });
    const one = await each(1);
    assert.deepEqual(await each(2), one);
    assert.deepEqual(await each(32), one);
    assert.ok(one.every((out) => out.length > 0 && out.length <= 3));
    const items = questions.map((question, i) => ({ id: `${i}`, question, answer: "fisher" }));
    const scored = (evalBatch: number) =>
      evaluateSet(model, tok, items, {
        role: "retain",
        maxNewTokens: 3,
        likelihood: false,
        evalBatch,
      });
    assert.deepEqual(await scored(4), await scored(1));
    await assert.rejects(each(0), /must be a whole number ≥ 1/);
  } finally {
    await tok.close();
  }
});
