import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compileFilter, FilterSyntaxError } from "./filter-expression.ts";
import type { Scalar } from "./view-data.ts";

const row = (values: Record<string, Scalar>) => (name: string) => values[name];

describe("filter expressions", () => {
  const a = row({
    method: "adacad",
    correct: false,
    score: 0.25,
    prediction: "In PARIS",
    hard: true,
  });
  const b = row({ method: "cot", correct: true, score: 1, prediction: "Rome", hard: false });

  it("compares, combines and negates", () => {
    const f = compileFilter('method == "adacad" and not correct and score < 0.5');
    assert.equal(f(a), true);
    assert.equal(f(b), false);
    assert.equal(compileFilter("score >= 1 or hard")(a), true);
    assert.equal(compileFilter("score >= 1 or hard")(b), true);
    assert.equal(compileFilter("not (score >= 1 or hard)")(b), false);
    assert.equal(compileFilter("method != 'cot'")(b), false);
  });
  it("`~` is a case-insensitive contains; missing names are false in order comparisons", () => {
    assert.equal(compileFilter('prediction ~ "paris"')(a), true);
    assert.equal(compileFilter('prediction ~ "paris"')(b), false);
    assert.equal(compileFilter("nothing > 0")(a), false);
    assert.equal(compileFilter("nothing == null")(a), false, "undefined is not null");
  });
  it("an empty filter keeps every row", () => {
    assert.equal(compileFilter("  ")(a), true);
  });
  it("says where a malformed filter breaks", () => {
    assert.throws(() => compileFilter('method == "x'), /unclosed string at character 11/);
    assert.throws(() => compileFilter("score <"), FilterSyntaxError);
    assert.throws(() => compileFilter("(correct"), /expected "\)"/);
    assert.throws(() => compileFilter("correct correct"), /expected and\/or or the end/);
    assert.throws(() => compileFilter("score = 1"), /unexpected "="/);
  });
});
