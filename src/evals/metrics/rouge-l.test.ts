import assert from "node:assert/strict";
import { test } from "node:test";
import { porterStem } from "./porter-stemmer.ts";
import { rougeL, rougeTokens } from "./rouge-l.ts";

test("Porter stemmer on the algorithm's classic examples", () => {
  const cases: Record<string, string> = {
    caresses: "caress",
    ponies: "poni",
    cats: "cat",
    feed: "feed",
    agreed: "agre",
    plastered: "plaster",
    motoring: "motor",
    sing: "sing",
    conflated: "conflat",
    hopping: "hop",
    filing: "file",
    happy: "happi",
    relational: "relat",
    conditional: "condit",
    rational: "ration",
    triplicate: "triplic",
    hopeful: "hope",
    goodness: "good",
    revival: "reviv",
    allowance: "allow",
    adoption: "adopt",
    controll: "control",
    roll: "roll",
    rolling: "roll",
    stones: "stone",
    generalization: "gener",
  };
  for (const [word, stem] of Object.entries(cases)) assert.equal(porterStem(word), stem, word);
});

test("spec §8 (UPCORE): ROUGE-L recall examples", () => {
  assert.deepEqual(rougeTokens("The Rolling Stones"), ["the", "roll", "stone"]);
  const a = rougeL("The Rolling Stones", "rolling stone band");
  assert.ok(Math.abs(a.recall - 2 / 3) < 1e-9);
  assert.equal(rougeL("Philadelphia", "Philadelphia, Pennsylvania").recall, 1);
  assert.equal(rougeL("Paris", "").recall, 0);
});
