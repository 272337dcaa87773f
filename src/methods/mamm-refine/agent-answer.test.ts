import assert from "node:assert/strict";
import { test } from "node:test";
import { cleanReasoning, parseAgentAnswer } from "./agent-answer.ts";
import { rerankQuestion } from "./collaborate.ts";
import { stripPreamble } from "./strip-preamble.ts";

test("fenced JSON with raw newlines in strings parses; labels are normalised", () => {
  assert.deepEqual(
    parseAgentAnswer('```json\n{"reasoning": "a\nb", "answer": "Yes."}\n```', ["yes", "no"]),
    {
      reasoning: "a b",
      answer: "yes",
    },
  );
  assert.deepEqual(parseAgentAnswer('Sure! {"reasoning": "x", "answer": 1} done', ["1", "2"]), {
    reasoning: "x",
    answer: "1",
  });
  assert.equal(
    parseAgentAnswer('{"reasoning": "x", "answer": "Response 2"}', ["1", "2"])?.answer,
    "2",
  );
});

test("missing keys, out-of-set answers and non-JSON are rejected", () => {
  assert.equal(parseAgentAnswer('{"answer": "yes"}', ["yes", "no"]), undefined);
  assert.equal(parseAgentAnswer('{"reasoning": "x", "answer": "maybe"}', ["yes", "no"]), undefined);
  assert.equal(parseAgentAnswer("yes", ["yes", "no"]), undefined);
});

test("reasoning shown to others loses a leading yes/no and is capitalised", () => {
  assert.equal(cleanReasoning("no, the vote was 5–2"), "The vote was 5–2");
  assert.equal(cleanReasoning("Yes. stated"), "Stated");
});

test("rerank labels map to content per agent, reasoning is renumbered into the viewer's frame", () => {
  const q = rerankQuestion(["A", "B"], { rerankPrompt: (shown) => shown.join("|") }, true);
  assert.equal(q.prompt(0), "A|B");
  assert.equal(q.prompt(1), "B|A");
  assert.equal(q.keyOf("2", 1), "A");
  assert.equal(q.labelOf("A", 1), "2");
  assert.equal(
    q.translateReasoning!("Response 1 is better than response 2", 1, 0),
    "Response 2 is better than response 1",
  );
});

test("preambles and wrapping quotes are stripped from revisions", () => {
  assert.equal(
    stripPreamble("Here is the revised summary:\nThe budget passed."),
    "The budget passed.",
  );
  assert.equal(stripPreamble('"The budget passed."'), "The budget passed.");
  assert.equal(stripPreamble("The budget passed."), "The budget passed.");
});
