import assert from "node:assert/strict";
import { test } from "node:test";
import { atlasConfig } from "../atlas/atlas-config.ts";
import { buildAtlasWorld } from "../atlas/atlas-world.ts";
import {
  atlasSentences,
  evidenceFor,
  goldCritique,
  goldRevision,
  notStated,
  scoreText,
  supported,
} from "./mamm-gold.ts";
import { documentRelations, summaryItems, summaryText } from "./mamm-items.ts";

const world = buildAtlasWorld(atlasConfig({ seed: 7 }));
const items = summaryItems(world, 1, "eval", 300);

test("summaries: 3–4 sentences on distinct relations, 0–2 unfaithful, every flaw kind drawn", () => {
  const kinds = new Set<string>();
  const unfaithfulCounts = new Set<number>();
  for (const item of items) {
    assert.ok(item.sentences.length >= 3 && item.sentences.length <= 4);
    assert.equal(Object.keys(item.facts).length, documentRelations);
    assert.equal(new Set(item.sentences.map((s) => s.relation)).size, item.sentences.length);
    const bad = item.sentences.filter((s) => !s.faithful);
    unfaithfulCounts.add(bad.length);
    for (const s of bad) kinds.add(s.flaw!);
  }
  assert.deepEqual([...unfaithfulCounts].sort(), [0, 1, 2]);
  assert.deepEqual([...kinds].sort(), ["other-person", "swapped", "unsupported"]);
});

test("labels are exact: the document supports a sentence iff it is labelled faithful", () => {
  for (const item of items) {
    assert.deepEqual(atlasSentences(item.document).length, documentRelations);
    for (const s of item.sentences) {
      assert.equal(supported(item, s.text), s.faithful, `${item.id}: ${s.text}`);
      if (s.flaw === "unsupported") {
        assert.equal(s.documentValue, null);
        // right by the world, not stated by the document
        assert.equal(s.value, world.people[item.person]!.facts[s.relation]);
        assert.equal(evidenceFor(item, s), notStated);
      } else {
        assert.equal(s.documentValue, item.facts[s.relation]);
        assert.ok(item.document.includes(evidenceFor(item, s)));
      }
      if (s.flaw === "swapped" || s.flaw === "other-person")
        assert.notEqual(s.value, s.documentValue);
    }
  }
});

test("the gold revision is fully faithful and keeps every faithful sentence verbatim", () => {
  for (const item of items) {
    const before = scoreText(item, summaryText(item));
    const after = scoreText(item, goldRevision(item));
    const faithful = item.sentences.filter((s) => s.faithful).length;
    assert.equal(before.faithfulness, faithful / item.sentences.length);
    assert.equal(after.faithfulness, 1);
    assert.equal(after.preserved, 1);
  }
  const flawed = items.find((i) => i.sentences.some((s) => s.flaw === "swapped"))!;
  const s = flawed.sentences.find((x) => x.flaw === "swapped")!;
  assert.equal(goldCritique(s), `${s.value} , it is ${s.documentValue} .`);
  assert.equal(scoreText(flawed, "").faithfulness, 0);
});

test("the draw is the seed's: same seed same items, another seed other items", () => {
  assert.deepEqual(summaryItems(world, 1, "eval", 5), items.slice(0, 5));
  assert.notDeepEqual(summaryItems(world, 2, "eval", 5), items.slice(0, 5));
  assert.notDeepEqual(summaryItems(world, 1, "train-detect", 5), items.slice(0, 5));
});
