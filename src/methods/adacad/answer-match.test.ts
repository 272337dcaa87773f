import assert from "node:assert/strict";
import { test } from "node:test";
import { containsAnswer, exactMatch, firstLine } from "./answer-match.ts";

test("contains-answer matches whole normalised words; EM compares the first line", () => {
  assert.equal(containsAnswer(" The season had 775 episodes.", ["775"]), true);
  assert.equal(containsAnswer(" 7750 episodes", ["775"]), false);
  assert.equal(containsAnswer("Brian Urlacher wrote it", ["brian urlacher"]), true);
  assert.equal(exactMatch(" The Brian Urlacher.\nQuestion: next", ["Brian Urlacher"]), true);
  assert.equal(exactMatch("Urlacher", ["Brian Urlacher"]), false);
  assert.equal(firstLine("\n  23 \nmore"), "23");
});
