import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { SeededRandom } from "../../math/seeded-random.ts";
import { AbacusDataEngine } from "../../methods/dataenvgym/abacus-engine.ts";
import { AbacusTask } from "../../methods/dataenvgym/abacus-task.ts";
import { GymEnvironment } from "../../methods/dataenvgym/environment.ts";
import { runEpisode } from "../../methods/dataenvgym/episode.ts";
import { LabelSkills } from "../../methods/dataenvgym/skill-discovery.ts";
import { SkillListAgent } from "../../methods/dataenvgym/skill-list-agent.ts";
import { compareTeachers } from "../../methods/dataenvgym/teacher-comparison.ts";
import type {
  TaskInstance,
  TrainablePredictor,
  TrainingDatum,
} from "../../methods/dataenvgym/types.ts";
import { UniformAgent } from "../../methods/dataenvgym/uniform-agent.ts";
import { rightAnswerPushedBack, sketchTree } from "../../methods/pbt/test-trees.ts";
import { Run } from "../../runtime/run.ts";
import { abacusItems } from "../../testbed/abacus/abacus-eval.ts";
import type { GymView, PbtView } from "../shared/training-data.ts";
import { trainingViews } from "./training-views.ts";

const root = mkdtempSync(join(tmpdir(), "chorus-view-training-"));
after(() => rmSync(root, { recursive: true, force: true }));

const validation = new AbacusTask("v", abacusItems(101, 10));
const testTask = new AbacusTask("t", abacusItems(202, 20));
const skills = [...new Set(validation.instances.map((x) => x.skill!))].sort();

/** Right on a skill with probability base + 1 point per datum of that skill it trained on. */
class SkillCountStudent implements TrainablePredictor {
  private counts = new Map<string, number>();
  async train(data: readonly TrainingDatum[]): Promise<void> {
    this.counts = new Map();
    for (const d of data) this.counts.set(d.skill!, (this.counts.get(d.skill!) ?? 0) + 1);
  }
  async predict(xs: readonly TaskInstance[]): Promise<string[]> {
    return xs.map((x) => {
      const p = (x.skill === "count" ? 0.2 : 0.8) + 0.01 * (this.counts.get(x.skill!) ?? 0);
      return new SeededRandom(`${x.taskName}/${x.id}`).next() < p ? testTask.reference(x) : " no .";
    });
  }
}

const uniform = (seed: number) => new UniformAgent(new AbacusDataEngine({ seed }), skills, 40);
const skillList = (seed: number) =>
  new SkillListAgent(new AbacusDataEngine({ seed }), new LabelSkills(skills), {
    budget: 40,
    hypotheses: 2,
  });

test("a gym episode's folder: accuracy and data per skill per cycle, problems with answers", async () => {
  const run = Run.create({ dir: join(root, "episode"), config: { method: "dataenvgym" } });
  const { records, data } = await runEpisode({
    env: new GymEnvironment({ validation, test: testTask, student: new SkillCountStudent() }),
    agent: skillList(1),
    cycles: 2,
    dir: join(run.dir, "episode"),
  });
  run.close();
  const [view] = trainingViews(run.dir, run.manifest) as [GymView];
  const [episode] = view.episodes;
  assert.equal(view.comparison, null);
  assert.deepEqual(
    episode!.cycles.map((c) => [c.cycle, c.test, c.bySkill["count"]]),
    records.map((r) => [
      r.cycle,
      r.test!.accuracy,
      r.test!.slices.find((s) => s.name === "count")!.accuracy,
    ]),
  );
  const made = episode!.cycles.flatMap((c) => Object.values(c.dataBySkill));
  assert.equal(
    made.reduce((a, b) => a + b, 0),
    data.length,
  );
  assert.equal(episode!.problems.length, testTask.instances.length);
  assert.ok(episode!.problems.every((p) => p.answers.length === records.length));
  // the answers drawn per cycle add up to the cycle's recorded test accuracy
  for (const r of records) {
    const right = episode!.problems.filter(
      (p) => p.answers.find((a) => a.cycle === r.cycle)?.correct,
    ).length;
    assert.equal(right / testTask.instances.length, r.test!.accuracy);
  }
});

test("a gym comparison read back from its folder gives the verdicts the command computed", async () => {
  const run = Run.create({
    dir: join(root, "compare"),
    config: { method: "dataenvgym-compare", arms: "uniform,skill-list", baseline: "uniform" },
  });
  const report = await compareTeachers({
    arms: [
      { name: "uniform", agent: uniform },
      { name: "skill-list", agent: skillList },
    ],
    baseline: "uniform",
    seeds: [1, 2],
    cycles: 2,
    validation,
    test: testTask,
    student: async () => new SkillCountStudent(),
    dir: join(run.dir, "arms"),
  });
  run.close();
  const [view] = trainingViews(run.dir, run.manifest) as [GymView];
  const c = view.comparison!;
  assert.deepEqual(c.seeds, [1, 2]);
  assert.deepEqual(c.accuracy, report.accuracy);
  assert.deepEqual(c.targetedSkills, report.targetedSkills);
  assert.deepEqual(
    c.verdicts.map((v) => [v.arm, v.delta.mean, v.delta.low, v.delta.high, v.reproduced]),
    report.verdicts.map((v) => [v.arm, v.delta.mean, v.delta.low, v.delta.high, v.reproduced]),
  );
  assert.deepEqual(c.curves["skill-list"], report.verdicts[0]!.curve);
  assert.deepEqual(
    view.episodes.map((e) => e.label),
    ["uniform · seed 1", "skill-list · seed 1"],
  );
});

test("PBT trees: moves and pairs; a measurement's eval lines grouped per condition", () => {
  const tree = (id: string) =>
    sketchTree(id, ["rome"], {
      text: "paris",
      answers: ["paris", null],
      children: [rightAnswerPushedBack],
    });
  const run = Run.create({ dir: join(root, "measure"), config: { demo: "pbt", evalSeed: 3 } });
  run.appendResult({ id: "tree/train/a", index: 0, result: tree("a") });
  run.appendResult({ id: "tree/train/b", index: 1, result: tree("b") });
  const sure = (id: string, before: boolean, afterIt: boolean) => ({
    id,
    turns: ["rome .", "no .", "paris ."],
    before: "rome",
    after: "paris",
    correctBefore: before,
    correctAfter: afterIt,
  });
  // base was asked q3 too (to find questions it answers right); only q1, q2 were kept
  for (const [tag, outcomes] of [
    ["base", [sure("q1", true, false), sure("q2", true, true), sure("q3", false, false)]],
    ["1/pbt", [sure("q1", true, true), sure("q2", true, true)]],
  ] as const)
    for (const o of outcomes)
      run.appendResult({ id: `eval/${tag}/sure/${o.id}`, index: 0, result: o });
  run.appendResult({
    id: "train/1/pbt",
    index: 0,
    result: { pairs: 2, dpoFinalLoss: 0.5, seconds: 1, adapter: "adapters/x.gguf" },
  });
  run.close();
  const [view] = trainingViews(run.dir, run.manifest) as [PbtView];
  assert.equal(view.trees.length, 1);
  const t = view.trees[0]!;
  assert.deepEqual([t.trees, t.turns, t.moves["gave-in"], t.moves["held-right"]], [2, 10, 2, 2]);
  // each tree: B holding its right answer ("no .") against giving in is one resist pair
  assert.deepEqual([t.pairs.accept, t.pairs.resist], [0, 2]);
  assert.deepEqual(
    view.conditions.map((c) => [c.name, c.areYouSure!.flipRate.mean, c.areYouSure!.before.n]),
    [
      ["base", 0.5, 2],
      ["seed 1 · pbt", 0, 2],
    ],
  );
  assert.equal(view.conditions[1]!.training!.pairs, 2);
});
