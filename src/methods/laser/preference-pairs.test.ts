import assert from "node:assert/strict";
import { test } from "node:test";
import { promptPairs } from "./preference-pairs.ts";

test("spec test 4: the top response is chosen in every pair, no ties, at most P pairs", () => {
  const responses = [0.9, 0.1, 0.5, 0.5].map((score, i) => ({ text: `r${i}`, score }));
  const pairs = promptPairs(responses, 10);
  assert.deepEqual(pairs, [
    { chosen: 0, rejected: 2 },
    { chosen: 0, rejected: 3 },
    { chosen: 0, rejected: 1 },
  ]);
  for (const p of pairs) {
    assert.equal(responses[p.chosen]!.score, 0.9);
    assert.notEqual(responses[p.chosen]!.score, responses[p.rejected]!.score);
  }
  assert.deepEqual(promptPairs(responses, 2), pairs.slice(0, 2), "capped at P");
  assert.deepEqual(promptPairs(responses, 0), []);
});

test("pairs: a tie at the top or identical texts give no pair; one response gives none", () => {
  const tied = [0.5, 0.5, 0.2].map((score, i) => ({ text: `r${i}`, score }));
  assert.deepEqual(promptPairs(tied, 10), [{ chosen: 0, rejected: 2 }]);
  const same = [
    { text: "x", score: 0.9 },
    { text: "x", score: 0.3 },
    { text: "y", score: 0.1 },
  ];
  assert.deepEqual(promptPairs(same, 10), [{ chosen: 0, rejected: 2 }]);
  assert.deepEqual(promptPairs([{ text: "a", score: 1 }], 10), []);
  assert.throws(
    () =>
      promptPairs(
        [
          { text: "a", score: Number.NaN },
          { text: "b", score: 0 },
        ],
        1,
      ),
    /finite/,
  );
});
