import assert from "node:assert/strict";
import { test } from "node:test";
import { atlasMammPrompts as P, parseAtlasAnswer } from "./mamm-prompts.ts";

const doc = "ann lives in rome . ann plays golf .";

test("votes: evidence then `A: right|no` for detectors, a bare number for selectors", () => {
  assert.deepEqual(parseAtlasAnswer(" ann lives in rome . A: right", ["yes", "no"]), {
    reasoning: "ann lives in rome .",
    answer: "yes",
  });
  assert.deepEqual(parseAtlasAnswer(" nobody says . A: no", ["yes", "no"]), {
    reasoning: "nobody says .",
    answer: "no",
  });
  assert.deepEqual(parseAtlasAnswer(" 2", ["1", "2"]), { reasoning: "", answer: "2" });
  assert.equal(parseAtlasAnswer(" ann lives in rome .", ["yes", "no"]), undefined);
  assert.equal(parseAtlasAnswer(" 3", ["1", "2"]), undefined);
});

test("a debate round puts the earlier answers, in world words, before the prompt's cue", () => {
  const base = P.detect(doc, "ann lives in oslo .");
  assert.equal(base, `C: ${doc} Q: ann lives in oslo . U:`);
  const round = P.debateRound(base, [
    { label: "no", reasoning: "ann lives in rome ." },
    { label: "yes", reasoning: "ann lives in rome ." },
  ]);
  assert.equal(
    round,
    `C: ${doc} Q: ann lives in oslo . U: ann lives in rome . A: no U: ann lives in rome . A: right U:`,
  );
  const pick = P.debateRound(P.refineRerank(doc, "", ["x .", "y ."]), [
    { label: "2", reasoning: "" },
    { label: "1", reasoning: "" },
  ]);
  assert.equal(pick, `C: ${doc} 1 : x . 2 : y . A: 2 A: 1 A:`);
});

test("GENERATE rounds list the drafts after the cue; a revision round drops the summary", () => {
  const critique = P.critique(doc, "ann lives in oslo .");
  assert.equal(
    P.update(critique, "critique", ["oslo , it is rome .", "oslo , nobody says ."]),
    `${critique} oslo , it is rome . A: oslo , nobody says . A:`,
  );
  const refine = P.refine(
    doc,
    "ann lives in oslo . ann plays golf .",
    P.feedback(["oslo , it is rome ."]),
  );
  assert.equal(
    refine,
    `C: ${doc} Q: ann lives in oslo . ann plays golf . U: oslo , it is rome . A:`,
  );
  assert.equal(
    P.update(refine, "revision", ["ann lives in rome . ann plays golf ."]),
    `C: ${doc} U: oslo , it is rome . A: ann lives in rome . ann plays golf . A:`,
  );
});
