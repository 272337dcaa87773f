import assert from "node:assert/strict";
import { test } from "node:test";
import { relationNames } from "../atlas/atlas-lexicon.ts";
import type { UpcoreFact } from "../atlas/upcore-facts.ts";
import { relationForgetSets, relationSizes, upcoreSets } from "./upcore-sets.ts";

/** 8 blobs on a line (blob g at x = 10g) of 10 + g facts each; relation = blob mod 6. */
function blobs(): { facts: UpcoreFact[]; features: number[][] } {
  const facts: UpcoreFact[] = [];
  const features: number[][] = [];
  for (let g = 0; g < 8; g++)
    for (let i = 0; i < 10 + g; i++) {
      const relation = relationNames[g % 6]!;
      facts.push({
        id: `f${g}-${i}`,
        question: `Q: ${relation} of p${g}-${i} ? A:`,
        answer: "x",
        person: i,
        relation,
        template: 0,
        paraphrase: "",
        exposures: 1,
      });
      features.push([10 * g + (i % 3) * 0.1, (i % 2) * 0.1]);
    }
  return { facts, features };
}

test("k-means groups: largest first, capped samples, retain next, neighbours nearest outside both", () => {
  const { facts, features } = blobs();
  const sizes = { forgetSets: 2, forgetCap: 12, neighbours: 5, retainEval: 4 };
  const s = upcoreSets(facts, features, sizes, { evalSeed: 1 });
  assert.deepEqual(s.groupSizes, [17, 16, 15, 14, 13, 12, 11, 10]);
  const [first, second] = s.forgetSets;
  assert.equal(first!.groupSize, 17);
  assert.equal(first!.forget.length, 12);
  assert.ok(first!.forget.every((f) => f.id.startsWith("f7-")));
  assert.ok(second!.forget.every((f) => f.id.startsWith("f6-")));
  // retain = the third largest (blob 5); its neighbours are skipped, so blob 7's nearest are blob 6's
  assert.ok(s.retain.every((f) => f.id.startsWith("f5-")) && s.retain.length === 15);
  assert.equal(s.retainEval.length, 4);
  assert.ok(first!.neighbours.every((f) => f.id.startsWith("f6-")));
  assert.ok(second!.neighbours.every((f) => f.id.startsWith("f7-")));
  assert.equal(second!.neighbours.length, 5);
  // a fresh eval seed draws another sample of the same group
  const other = upcoreSets(facts, features, sizes, { evalSeed: 2 });
  assert.notDeepEqual(
    other.forgetSets[0]!.forget.map((f) => f.id),
    first!.forget.map((f) => f.id),
  );
});

test("null-world grouping: one relation per forget set, instrument is the retain set", () => {
  const { facts, features } = blobs();
  const s = upcoreSets(
    facts,
    features,
    { forgetSets: 2, forgetCap: 100, neighbours: 3, retainEval: 100 },
    { evalSeed: 1, grouping: "relations" },
  );
  assert.deepEqual(
    s.forgetSets.map((f) => f.name),
    ["city", "job"],
  );
  assert.ok(s.forgetSets[0]!.forget.every((f) => f.relation === "city"));
  assert.ok(s.retain.every((f) => f.relation === "instrument"));
  assert.ok(s.forgetSets[0]!.neighbours.every((f) => !["city", "instrument"].includes(f.relation)));
  // the full design's six forget sets become the five relations before instrument
  const full = { forgetSets: 6, forgetCap: 100, neighbours: 3, retainEval: 100 };
  assert.throws(
    () => upcoreSets(facts, features, full, { evalSeed: 1, grouping: "relations" }),
    /6 groups cannot give 6 forget sets/,
  );
  assert.equal(relationForgetSets, 5);
  assert.deepEqual(relationSizes(full), { ...full, forgetSets: 5 });
  assert.deepEqual(relationSizes({ ...full, forgetSets: 2 }), { ...full, forgetSets: 2 });
  assert.deepEqual(
    upcoreSets(facts, features, relationSizes(full), {
      evalSeed: 1,
      grouping: "relations",
    }).forgetSets.map((f) => f.name),
    ["city", "job", "pet", "color", "sport"],
  );
  assert.throws(
    () =>
      upcoreSets(
        facts,
        features.slice(1),
        { forgetSets: 1, forgetCap: 1, neighbours: 1, retainEval: 1 },
        { evalSeed: 1 },
      ),
    /feature vectors/,
  );
});
