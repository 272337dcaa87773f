import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { diffLines, diffTokens, diffWords } from "./token-diff.ts";

describe("diffTokens", () => {
  it("keeps the common words and marks what refinement removed and added", () => {
    assert.deepEqual(diffWords("the cat sat on the mat", "the dog sat on a mat"), [
      { kind: "same", text: "the" },
      { kind: "removed", text: "cat" },
      { kind: "added", text: "dog" },
      { kind: "same", text: "sat on" },
      { kind: "removed", text: "the" },
      { kind: "added", text: "a" },
      { kind: "same", text: "mat" },
    ]);
  });

  it("diffs code by lines and rebuilds both sides from the parts", () => {
    const before = "def f(x):\n    return x - 1\n";
    const after = "def f(x):\n    y = x\n    return y + 1\n";
    const parts = diffLines(before, after);
    const side = (skip: string) =>
      parts
        .filter((p) => p.kind !== skip)
        .map((p) => p.text)
        .join("\n");
    assert.equal(side("added"), before);
    assert.equal(side("removed"), after);
    assert.equal(parts.filter((p) => p.kind === "same").length, 2);
  });

  it("handles empty sides and identical texts", () => {
    assert.deepEqual(diffTokens([], ["a", "b"], " "), [{ kind: "added", text: "a b" }]);
    assert.deepEqual(diffTokens(["a"], [], " "), [{ kind: "removed", text: "a" }]);
    assert.deepEqual(diffWords("same words", "same  words"), [
      { kind: "same", text: "same words" },
    ]);
  });
});
