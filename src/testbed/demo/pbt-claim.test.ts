import assert from "node:assert/strict";
import { test } from "node:test";
import type { AreYouSureOutcome } from "../../methods/pbt/are-you-sure.ts";
import type { PersuasionOutcome } from "../../methods/pbt/persuasion-eval.ts";
import type { TeamDebateOutcome } from "../../methods/pbt/team-debate.ts";
import {
  judgePbtClaim,
  judgePbtSeeds,
  type PbtVariantName,
  pbtNullRule,
  type SeedOutcomes,
  type VariantOutcomes,
} from "./pbt-claim.ts";

const n = 60;
/** A variant that is right on a share of CtI and ItC items, flips at a rate, and teams at an accuracy. */
function variant(cti: number, itc: number, flip: number, team: [number, number]): VariantOutcomes {
  const persuasion: PersuasionOutcome[] = [];
  for (let i = 0; i < n; i++) {
    persuasion.push({ id: `r${i}`, code: "resist", reply: "", answer: "", correct: i < cti * n });
    persuasion.push({ id: `a${i}`, code: "accept", reply: "", answer: "", correct: i < itc * n });
  }
  const areYouSure: AreYouSureOutcome[] = Array.from({ length: n }, (_, i) => ({
    id: `q${i}`,
    turns: [],
    before: "x",
    after: "x",
    correctBefore: true,
    correctAfter: i >= flip * n,
  }));
  const debate = team.map((acc): TeamDebateOutcome[] =>
    Array.from({ length: n }, (_, i) => ({
      id: `q${i}`,
      order: ["m", "p"],
      initial: [null, null],
      final: [null, null],
      initialAccuracy: 0.5,
      finalAccuracy: i < acc * n ? 1 : 0,
      turns: [],
    })),
  ) as [TeamDebateOutcome[], TeamDebateOutcome[]];
  return { persuasion, areYouSure, debate };
}

test("the paper's shape is REPRODUCED; a PBT no better than base is not", () => {
  const shape: Record<PbtVariantName, VariantOutcomes> = {
    base: variant(0.5, 0.5, 0.6, [0.8, 0.6]),
    "accept-only": variant(0.1, 0.95, 0.9, [0.6, 0.6]),
    "resist-only": variant(0.95, 0.1, 0.05, [0.7, 0.7]),
    pbt: variant(0.9, 0.85, 0.1, [0.9, 0.88]),
  };
  const yes = judgePbtClaim(shape);
  assert.ok(yes.reproduced, JSON.stringify(yes.checks, null, 1));
  const flat = { ...shape, pbt: shape.base };
  const no = judgePbtClaim(flat);
  assert.equal(no.reproduced, false);
  assert.deepEqual(
    no.checks.map((c) => c.pass),
    [true, false, false, false],
  );
});

/** One seed's outcomes with its item ids tagged, so seeds can be pooled as if one. */
function tagged(o: VariantOutcomes, tag: string): VariantOutcomes {
  const t = <T extends { id: string }>(xs: readonly T[]) =>
    xs.map((x) => ({ ...x, id: `${tag}${x.id}` }));
  return {
    persuasion: t(o.persuasion),
    areYouSure: t(o.areYouSure),
    debate: [t(o.debate[0]), t(o.debate[1])],
  };
}
const pooled = (seeds: readonly VariantOutcomes[]): VariantOutcomes => {
  const all = seeds.map((o, i) => tagged(o, `s${i}-`));
  return {
    persuasion: all.flatMap((o) => o.persuasion),
    areYouSure: all.flatMap((o) => o.areYouSure),
    debate: [all.flatMap((o) => o.debate[0]), all.flatMap((o) => o.debate[1])],
  };
};

test("seeds that disagree: the item-level interval calls PBT best, the hierarchical one does not", () => {
  const base = variant(0.5, 0.5, 0.6, [0.8, 0.6]);
  const seeds: SeedOutcomes = {
    base: [base],
    "accept-only": [variant(0.1, 0.95, 0.9, [0.6, 0.6]), variant(0.1, 0.95, 0.9, [0.6, 0.6])],
    "resist-only": [variant(0.95, 0.1, 0.05, [0.7, 0.7]), variant(0.95, 0.1, 0.05, [0.7, 0.7])],
    // seed 1 trains a PBT far above base, seed 2 one identical to it
    pbt: [variant(0.9, 0.85, 0.1, [0.9, 0.88]), base],
  };
  const hierarchical = judgePbtSeeds(seeds, 3).checks[1]!;
  const itemLevel = judgePbtClaim(
    {
      base: pooled([base, base]),
      "accept-only": pooled(seeds["accept-only"]),
      "resist-only": pooled(seeds["resist-only"]),
      pbt: pooled(seeds.pbt),
    },
    3,
  ).checks[1]!;
  // Same point estimates, different intervals: a seed that shows nothing is a quarter of the
  // seed draws, so the hierarchical lower bound reaches 0.
  assert.equal(hierarchical.detail.split(" [")[0], itemLevel.detail.split(" [")[0]);
  assert.equal(itemLevel.pass, true, itemLevel.detail);
  assert.equal(hierarchical.pass, false, hierarchical.detail);
  // Both seeds agreeing: the hierarchical rule passes too.
  const agree = { ...seeds, pbt: [seeds.pbt[0]!, seeds.pbt[0]!] };
  assert.equal(judgePbtSeeds(agree, 3).checks[1]!.pass, true);
});

test("the null rule: PBT level with the better one-sided baseline holds, PBT above it does not", () => {
  const oneSided = variant(0.5, 0.6, 0.5, [0.5, 0.5]);
  const world = (pbt: VariantOutcomes): SeedOutcomes => ({
    base: [variant(0.5, 0.5, 0.5, [0.5, 0.5])],
    "accept-only": [oneSided, oneSided],
    "resist-only": [variant(0.3, 0.3, 0.5, [0.5, 0.5]), variant(0.3, 0.3, 0.5, [0.5, 0.5])],
    pbt: [pbt, pbt],
  });
  const level = pbtNullRule(world(oneSided));
  assert.equal(level.pass, true, level.detail);
  assert.match(level.detail, /PBT − accept-only/);
  const above = pbtNullRule(world(variant(0.9, 0.9, 0.5, [0.5, 0.5])));
  assert.equal(above.pass, false, above.detail);
});
