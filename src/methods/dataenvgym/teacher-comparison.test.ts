import assert from "node:assert/strict";
import { test } from "node:test";
import { SeededRandom } from "../../math/seeded-random.ts";
import { abacusItems } from "../../testbed/abacus/abacus-eval.ts";
import { AbacusDataEngine } from "./abacus-engine.ts";
import { AbacusTask } from "./abacus-task.ts";
import { LabelSkills } from "./skill-discovery.ts";
import { SkillListAgent } from "./skill-list-agent.ts";
import { compareTeachers } from "./teacher-comparison.ts";
import type { TaskInstance, TrainablePredictor, TrainingDatum } from "./types.ts";
import { UniformAgent } from "./uniform-agent.ts";

const validation = new AbacusTask("v", abacusItems(101, 10));
const testTask = new AbacusTask("t", abacusItems(202, 20));
const skills = [...new Set(validation.instances.map((x) => x.skill!))].sort();

/**
 * A stand-in student whose skill accuracy grows with the data of that skill it was trained on
 * (1 point per datum from `base`): item i is right when its fixed draw u(i) < the accuracy.
 */
class SkillCountStudent implements TrainablePredictor {
  private counts = new Map<string, number>();
  constructor(private readonly base: (skill: string) => number) {}
  async train(data: readonly TrainingDatum[]): Promise<void> {
    this.counts = new Map();
    for (const d of data) this.counts.set(d.skill!, (this.counts.get(d.skill!) ?? 0) + 1);
  }
  async predict(xs: readonly TaskInstance[]): Promise<string[]> {
    return xs.map((x) => {
      const p = this.base(x.skill!) + 0.01 * (this.counts.get(x.skill!) ?? 0);
      return new SeededRandom(`${x.taskName}/${x.id}`).next() < p ? testTask.reference(x) : " no .";
    });
  }
}

const arms = [
  {
    name: "uniform",
    agent: (seed: number) => new UniformAgent(new AbacusDataEngine({ seed }), skills, 80),
  },
  {
    name: "skill-list",
    agent: (seed: number) =>
      new SkillListAgent(new AbacusDataEngine({ seed }), new LabelSkills(skills), {
        budget: 80,
        hypotheses: 2,
      }),
  },
];

test("feedback beats uniform at equal data when skills are uneven; gains sit on the weak skills and rise", async () => {
  const weak = new Set(["count", "chain", "prog"]);
  const report = await compareTeachers({
    arms,
    baseline: "uniform",
    seeds: [1, 2, 3],
    cycles: 3,
    validation,
    test: testTask,
    student: async () => new SkillCountStudent((s) => (weak.has(s) ? 0.2 : 0.9)),
  });
  assert.deepEqual([...report.targetedSkills].sort(), ["chain", "count", "prog"]);
  const v = report.verdicts[0]!;
  assert.equal(v.arm, "skill-list");
  assert.ok(v.delta.mean >= 0.05 && v.delta.low > 0, JSON.stringify(v.delta));
  assert.ok(v.targetedDelta > 0.2 && v.otherDelta <= 0, `${v.targetedDelta} vs ${v.otherDelta}`);
  assert.equal(v.curve.length, 4);
  assert.deepEqual(v.checks, { beatsBaseline: true, concentrated: true, rising: true });
  assert.equal(report.reproduced, true);
  assert.equal(report.noGain, false);
  // every (arm, seed) ran the same number of cycles on the same budget
  for (const r of report.runs)
    assert.deepEqual(
      r.records.slice(1).map((c) => c.generated[0]),
      [80, 80, 80],
    );
});

test("null world: a student already even across skills gains no more from feedback than from uniform data", async () => {
  const report = await compareTeachers({
    arms,
    baseline: "uniform",
    seeds: [1, 2, 3],
    cycles: 3,
    validation,
    test: testTask,
    student: async () => new SkillCountStudent(() => 0.5),
  });
  const v = report.verdicts[0]!;
  assert.ok(Math.abs(v.delta.mean) < 0.05, JSON.stringify(v.delta));
  assert.equal(v.checks.beatsBaseline, false);
  assert.equal(report.noGain, true);
  assert.equal(report.reproduced, false);
});
