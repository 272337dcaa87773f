import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { evalItemLine, metaTextLimit } from "./item-line.ts";

describe("evalItemLine", () => {
  it("keeps the question, answer and choices whole, and only short scalar meta", () => {
    const long = "x".repeat(metaTextLimit + 50);
    const line = evalItemLine({
      id: "q7",
      question: `Which? ${long}`,
      answer: "B",
      answerType: "choice",
      choices: ["one", "two"],
      meta: {
        subject: "law",
        context: long,
        answers: ["Paris", "paris"],
        tests: [{ input: "1", output: "2" }],
        nested: { a: 1 },
        year: 2020,
        question: `Which? ${long}`,
        label: "B",
      },
    });
    assert.equal(line.question, `Which? ${long}`);
    assert.deepEqual(line.choices, ["one", "two"]);
    assert.equal(line.meta["subject"], "law");
    assert.equal(line.meta["context"], `${"x".repeat(metaTextLimit)}…`);
    assert.deepEqual(line.meta["answers"], ["Paris", "paris"]);
    assert.equal(line.meta["year"], 2020);
    assert.ok(!("tests" in line.meta) && !("nested" in line.meta), "records are left out");
    assert.ok(!("question" in line.meta) && !("label" in line.meta), "repeats are left out");
    assert.equal(Object.keys(line)[0], "id", "id first: the viewer finds it without parsing");
  });
});
