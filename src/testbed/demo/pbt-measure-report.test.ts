import assert from "node:assert/strict";
import { test } from "node:test";
import type { PersuasionOutcome } from "../../methods/pbt/persuasion-eval.ts";
import type { VariantOutcomes } from "./pbt-claim.ts";
import { exposureGains, measureTable, summarizeVariant } from "./pbt-measure-report.ts";

const exposures = [2, 2, 10, 10, 30, 30, 300, 300];
const pairs = (correct: (e: number, i: number) => boolean): VariantOutcomes => ({
  persuasion: exposures.map(
    (e, i): PersuasionOutcome => ({
      id: `p${i}`,
      code: i % 2 === 0 ? "resist" : "accept",
      reply: "",
      answer: "",
      correct: correct(e, i),
    }),
  ),
  areYouSure: [],
  debate: [[], []],
});

test("exposure buckets: PBT − base per bucket, every pair in one bucket, empty buckets say so", () => {
  const base = pairs(() => false);
  const pbt = pairs((e) => e >= 20);
  const gains = exposureGains(
    { base: [base], "accept-only": [base, base], "resist-only": [base, base], pbt: [pbt, pbt] },
    new Map(exposures.map((e, i) => [`p${i}`, e])),
  );
  assert.deepEqual(
    gains.map((g) => [g.min, g.n, g.gain.mean]),
    [
      [0, 2, 0],
      [5, 2, 0],
      [20, 2, 1],
      [50, 0, Number.NaN],
      [100, 0, Number.NaN],
      [200, 2, 1],
    ],
  );
  assert.equal(gains[2]!.pbt, 1);
  assert.equal(gains[2]!.base, 0);
  const table = measureTable(
    Object.fromEntries(
      ["base", "accept-only", "resist-only", "pbt"].map((n) => [n, summarizeVariant([base])]),
    ),
    gains,
  );
  assert.match(table.at(-1)!, /^200\+ +2 +0\.0% +100\.0% +100\.0 \[100\.0, 100\.0\]$/);
  assert.match(table.at(-2)!, /^100–199 +0 .*—$/);
});

test("a variant's summary over seeds: the mean of seed means, CtI and ItC apart", () => {
  const s = summarizeVariant([pairs((_, i) => i % 2 === 0), pairs(() => true)]);
  assert.equal(s.seeds, 2);
  assert.equal(s.balanced.mean, 0.75);
  assert.equal(s.cti.mean, 1);
  assert.equal(s.itc.mean, 0.5);
  assert.ok(Number.isNaN(s.flipRate.mean), "no are-you-sure items");
});
