import assert from "node:assert/strict";
import { test } from "node:test";
import { SeededRandom } from "../../math/seeded-random.ts";
import type { LanguageModel } from "../../model/language-model.ts";
import { MathShepherdPrm } from "../../scoring/math-shepherd-prm.ts";
import { defaultChainShape } from "../abacus/chain-skill.ts";
import {
  chainItems,
  chainProblems,
  critiqueExamples,
  ormExamples,
  prmExamples,
  taggedPrefix,
} from "./magicore-data.ts";
import { nullChainShape } from "./magicore-demo.ts";
import { chainAnswer, rewardQuestion, solutionSteps, stepTag } from "./magicore-format.ts";

const [problem] = chainProblems(1, "train", 1, {
  steps: [3, 3],
  digits: [3, 3],
  distractors: [1, 1],
});
const gold = solutionSteps(problem!.gold);
// the gold solution with its second step's result and the final answer changed: wrong from step 2
const wrongSteps = gold.map((s, i) =>
  i === 1
    ? s.replace(/= ([\d ]+) \.$/, "= 1 1 1 .")
    : s.replace(/answer : [\d ]+ \.$/, "answer : 9 ."),
);
const wrong = wrongSteps.join("\n");

test("chain problems: own streams, gold answers the solutions' own, null shape honoured", () => {
  const a = chainProblems(1, "test", 5, defaultChainShape);
  assert.deepEqual(a, chainProblems(1, "test", 5, defaultChainShape));
  assert.notDeepEqual(a[0]!.question, chainProblems(1, "train", 1, defaultChainShape)[0]!.question);
  for (const p of a) assert.equal(chainAnswer(p.gold), p.answer);
  for (const p of chainProblems(2, "test", 20, nullChainShape)) {
    assert.equal(solutionSteps(p.gold).length, 2);
    assert.doesNotMatch(p.question, /\d \d \d/); // 2-digit numbers only
  }
  assert.equal(chainItems(a)[0]!.answerType, "number");
});

test("taggedPrefix is exactly what MathShepherdPrm scores (tag `?`)", () => {
  const prm = new MathShepherdPrm({ id: "x" } as unknown as LanguageModel, { stepTag });
  const input = { question: rewardQuestion(problem!.question), steps: gold };
  for (let j = 0; j < gold.length; j++)
    assert.equal(taggedPrefix(problem!.question, gold, j), prm.taggedText(input, j));
});

test("ORM examples: + iff the final answer is right", () => {
  const ex = ormExamples([
    { problem: problem!, text: problem!.gold },
    { problem: problem!, text: wrong },
  ]);
  assert.deepEqual(
    ex.map((e) => e.completion),
    [" +", " -"],
  );
  assert.ok(ex[1]!.prompt.endsWith(" ?"));
  assert.equal(ex[1]!.prompt.split("\n").length, 1);
});

test("PRM examples: the first wrong step is -, an earlier step +, a right solution's last step +", () => {
  const ex = prmExamples(
    [
      { problem: problem!, text: wrong },
      { problem: problem!, text: problem!.gold },
    ],
    new SeededRandom(3),
  );
  assert.equal(ex.length, 3);
  assert.equal(ex[0]!.completion, " -");
  assert.equal(ex[0]!.prompt, taggedPrefix(problem!.question, wrongSteps, 1));
  assert.deepEqual(
    [ex[1]!.completion, ex[1]!.prompt],
    [" +", taggedPrefix(problem!.question, wrongSteps, 0)],
  );
  assert.deepEqual(
    [ex[2]!.completion, ex[2]!.prompt],
    [" +", taggedPrefix(problem!.question, gold, gold.length - 1)],
  );
});

test("critique examples: the reviewer names the gold step, the refiner writes the gold rest", () => {
  const { reviewer, refiner } = critiqueExamples(
    [
      { problem: problem!, text: wrong },
      { problem: problem!, text: problem!.gold }, // right: no critique example
    ],
    [
      [0.9, 0.2, 0.1],
      [1, 1, 1],
    ],
  );
  assert.equal(reviewer.length, 1);
  assert.equal(reviewer[0]!.completion, ` ${gold[1]}`);
  assert.match(reviewer[0]!.prompt, /\( 9 \) step 2 : .* \( 2 \) .* which step \?$/);
  assert.equal(refiner.length, 1);
  assert.equal(refiner[0]!.prompt, `Q: ${problem!.question} A: ${gold[0]} ${gold[1]}`);
  assert.equal(refiner[0]!.completion, ` ${gold[2]}`);
});
