import assert from "node:assert/strict";
import { test } from "node:test";
import { spmWords } from "../../gguf/corpus-vocab.ts";
import { abacusFinalAnswer, abacusProbeTokens } from "./abacus-answer.ts";
import { type AbacusItem, abacusItems } from "./abacus-eval.ts";
import { taskText } from "./abacus-skills.ts";
import { defaultChainShape } from "./chain-skill.ts";

// both notations: the answer reader reads words, whatever order the digits come in
const items = [
  ...abacusItems(4, 30),
  ...abacusItems(4, 30, defaultChainShape, "lsb-first").map((i) => ({ ...i, id: `lsb-${i.id}` })),
];

/** What a model that learned the corpus writes after the item's `A:`: the corpus line's rest. */
function reference(item: AbacusItem): string {
  return taskText({ ...item, question: item.prompt.slice(3, -3) }).slice(item.prompt.length);
}

test("the reference completion of every skill reads back as its answer, next task or not", () => {
  for (const item of items) {
    const after = reference(item);
    assert.equal(abacusFinalAnswer(item.skill, after), item.answer, `${item.id}:${after}`);
    const more = `${after} Q: what is 1 2 plus 3 ? A: 1 5 .`;
    assert.equal(abacusFinalAnswer(item.skill, more), item.answer, `${item.id}:${more}`);
  }
});

test("a wrong, longer or unfinished answer never reads as the item's", () => {
  for (const item of items) {
    const after = reference(item);
    const cut = after.lastIndexOf(item.answer);
    const wrong = `${after.slice(0, cut)}9 ${item.answer.replace(/\d/, (d) => String((+d + 1) % 10))} .`;
    assert.notEqual(abacusFinalAnswer(item.skill, wrong), item.answer, wrong);
    const longer = `${after.slice(0, cut)}${item.answer} 7 .`;
    assert.notEqual(abacusFinalAnswer(item.skill, longer), item.answer, longer);
    assert.equal(abacusFinalAnswer(item.skill, ""), "");
    if (item.skill === "chain" || item.skill === "prog") {
      // the working stops before the answer marker; the next task's answer is not read instead
      const next = `Q: b = 1 2 . what is b ? A: answer : ${item.answer} . output : ${item.answer} .`;
      const unfinished = `${after.slice(0, after.indexOf(item.skill === "chain" ? "answer" : "output"))}${next}`;
      assert.equal(abacusFinalAnswer(item.skill, unfinished), "", unfinished);
    }
  }
});

test("a greedy probe's token budget holds the reference completion (one token per word)", () => {
  for (const item of items) {
    const words = spmWords(reference(item)).length;
    assert.ok(words <= abacusProbeTokens(item), `${item.id}: ${words} words`);
    assert.ok(abacusProbeTokens(item) - words <= 3, `${item.id}: budget far past the answer`);
  }
});
