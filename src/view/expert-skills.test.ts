import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { expertSkillMatrices, noSkill, otherSkills, routedRecord } from "./expert-skills.ts";

const record = (
  mapped: string[],
  experts: string[],
  expertCorrect: boolean[] | undefined,
  extra: { correct?: boolean; majority?: boolean; answers?: (string | null)[] } = {},
) => ({
  method: "symbolic-moe",
  gold: "B",
  correct: extra.correct ?? false,
  details: {
    mapped,
    experts,
    expertAnswers: extra.answers ?? experts.map(() => "A"),
    ...(expertCorrect ? { expertCorrect } : {}),
    expertMajorityCorrect: extra.majority ?? false,
  },
});

describe("expert × skill matrix", () => {
  it("counts each recruited slot under each skill of its item, with how often it was right", () => {
    const [m] = expertSkillMatrices([
      record(["algebra", "geometry"], ["x", "y", "x"], [true, false, false], {
        correct: true,
        majority: true,
      }),
      record(["algebra", "algebra"], ["y"], [true]),
      record([], ["x"], undefined, { answers: ["B"] }), // older record: right when equal to gold
      { method: "cot", details: { steps: [] } }, // no routing: not counted
    ]);
    assert.equal(m!.method, "symbolic-moe");
    assert.equal(m!.items, 3);
    assert.deepEqual(m!.experts, ["x", "y"]);
    assert.deepEqual(m!.skills, ["algebra", "geometry", noSkill]);
    assert.deepEqual(m!.cells, [
      [
        { recruited: 2, correct: 1 },
        { recruited: 2, correct: 1 },
        { recruited: 1, correct: 1 },
      ],
      [
        { recruited: 2, correct: 1 },
        { recruited: 1, correct: 0 },
        { recruited: 0, correct: 0 },
      ],
    ]);
    // totals count a slot once, whatever its item's skills
    assert.deepEqual(m!.totals, [
      { recruited: 3, correct: 2 },
      { recruited: 2, correct: 1 },
    ]);
    assert.equal(m!.majorityCorrect, 1);
    assert.equal(m!.finalCorrect, 1);
  });

  it("folds the rarest skills into one column, an item counted once there", () => {
    const skills = Array.from({ length: 30 }, (_, i) => `s${String(i).padStart(2, "0")}`);
    const [m] = expertSkillMatrices([
      record(skills, ["x"], [true]),
      record(skills.slice(0, 5), ["x"], [false]),
    ]);
    assert.equal(m!.skills.length, 24);
    assert.equal(m!.skills.at(-1), otherSkills);
    assert.deepEqual(m!.cells[0]!.slice(0, 5), Array(5).fill({ recruited: 2, correct: 1 }));
    assert.deepEqual(m!.cells[0]!.at(-1), { recruited: 1, correct: 1 });
  });

  it("keeps of a routed record only what the matrix reads, and gives the same matrix", () => {
    const full = record(["algebra"], ["x", "y"], [true, false], { correct: true, majority: true });
    const line = { ...full, prediction: "B", details: { ...full.details, keywords: ["alg"] } };
    assert.deepEqual(routedRecord(line), full);
    assert.deepEqual(expertSkillMatrices([routedRecord(line)]), expertSkillMatrices([line]));
    // no keyword routing (a baseline), or from before the majority was recorded: not routed
    assert.equal(routedRecord({ method: "moa-all", details: { experts: ["x"] } }), undefined);
    const { expertMajorityCorrect: _, ...older } = full.details;
    assert.equal(routedRecord({ ...full, details: older }), undefined);
  });
});
