import assert from "node:assert/strict";
import { test } from "node:test";
import { splitSentences } from "./split-sentences.ts";

test("splits on sentence ends but not on abbreviations, initials, acronyms or decimals", () => {
  assert.deepEqual(
    splitSentences(
      'Dr. Smith paid $3.5 million. The U.S. team won! Did J. K. Rowling attend? "Yes," he said. 2020 was odd.',
    ),
    [
      "Dr. Smith paid $3.5 million.",
      "The U.S. team won!",
      "Did J. K. Rowling attend?",
      '"Yes," he said.',
      "2020 was odd.",
    ],
  );
});

test("newlines split, blank text gives no sentences, lower-case continuations stay", () => {
  assert.deepEqual(splitSentences("First line\nSecond. third word"), [
    "First line",
    "Second. third word",
  ]);
  assert.deepEqual(splitSentences("  \n "), []);
});
