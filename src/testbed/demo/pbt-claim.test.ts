import assert from "node:assert/strict";
import { test } from "node:test";
import type { AreYouSureOutcome } from "../../methods/pbt/are-you-sure.ts";
import type { PersuasionOutcome } from "../../methods/pbt/persuasion-eval.ts";
import type { TeamDebateOutcome } from "../../methods/pbt/team-debate.ts";
import {
  judgePbtClaim,
  type PbtVariantName,
  unpairedDifference,
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

test("unpaired difference: mean and an interval around it", () => {
  const d = unpairedDifference([1, 1, 1, 0], [0, 0, 1, 0]);
  assert.equal(d.mean, 0.5);
  assert.ok(d.low <= 0.5 && d.high >= 0.5 && d.low < d.high);
});
