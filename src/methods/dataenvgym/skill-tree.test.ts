import assert from "node:assert/strict";
import { test } from "node:test";
import type { EvalItem } from "../../evals/eval-item.ts";
import type { DataEngine, DraftDatum } from "./data-engine.ts";
import { MathTask, mathTarget } from "./math-task.ts";
import { LabelSkills } from "./skill-discovery.ts";
import { applyExploit, requested } from "./skill-tree.ts";
import { SkillTreeAgent } from "./skill-tree-agent.ts";
import {
  AlternatingExploreExploit,
  FillBalancedSkillTree,
  WeaknessPolicy,
} from "./skill-tree-policies.ts";
import { LookupStudent } from "./stub-students.ts";
import type { CompletedInstance } from "./types.ts";

const task = new MathTask(
  "t",
  ["a1", "a2", "a3", "a4", "b1", "b2"].map<EvalItem>((q) => ({
    id: q,
    question: q,
    answer: "1",
    answerType: "number",
    meta: { skill: q[0] },
  })),
);
const skills = new LabelSkills(["a", "b"]);
/** Validation results with the given accuracy per skill (first k of each skill right). */
const results = (a: number, b: number): CompletedInstance[] =>
  task.instances.map((instance) => {
    const [skill, k] = [instance.skill!, Number(instance.id[1])];
    return { instance, response: "", correct: k <= (skill === "a" ? a * 4 : b * 2) };
  });

/** An engine whose subskills are numbered and whose data are all readable ("unreadable" ones on request). */
class CountingEngine implements DataEngine {
  asked: Array<{ subskill: string; count: number }> = [];
  next = 0;
  unreadableFor = "";
  async likeErrors(): Promise<DraftDatum[]> {
    return [];
  }
  async forSkill(): Promise<DraftDatum[]> {
    return [];
  }
  async forSkillBlind(): Promise<DraftDatum[]> {
    return [];
  }
  async proposeSubskills(r: { skill: string; count: number }): Promise<string[]> {
    return Array.from({ length: r.count }, () => `${r.skill}-s${this.next++}`);
  }
  async forSubskill(r: { skill: string; subskill: string; count: number }): Promise<DraftDatum[]> {
    this.asked.push({ subskill: r.subskill, count: r.count });
    return Array.from({ length: r.count }, (_, i) => ({
      instruction: `${r.subskill} problem ${i}`,
      response: r.subskill === this.unreadableFor ? "no answer" : mathTarget("1"),
      skill: r.skill,
      subskill: r.subskill,
    }));
  }
}

test("acceptance 4: Explore(2, 30), zeroing exploit, rewards and past performance, stop at 200", async () => {
  const engine = new CountingEngine();
  const agent = new SkillTreeAgent(engine, skills, task, new AlternatingExploreExploit());
  const student = new LookupStudent();

  // step 1: Explore(2, 30) on empty trees -> 2 subskills × 30 = 60 data per skill
  const first = await agent.generate(results(0.25, 0.5), student);
  const a = () => agent.history("a");
  assert.deepEqual(a()[0]!.action, { kind: "explore", count: 2, allocation: 30 });
  assert.deepEqual(
    a()[0]!.state.tree.subskills.map((n) => [n.name, n.allocation]),
    [
      ["a-s0", 30],
      ["a-s1", 30],
    ],
  );
  assert.equal(requested(a()[0]!.state.tree), 60);
  assert.equal(first.length, 120);
  assert.equal(a()[0]!.state.pastPerformance, 0.25);

  // step 2: reward = accuracy now - previous; the exploit zeroes both allocations; no data
  const second = await agent.generate(results(0.75, 0.5), student);
  assert.equal(a()[0]!.reward, 0.5);
  assert.equal(a()[1]!.state.pastPerformance, 0.25 + 0.5);
  assert.deepEqual(a()[1]!.action, { kind: "exploit", deltas: { "a-s0": -30, "a-s1": -30 } });
  assert.deepEqual(
    a()[1]!.state.tree.subskills.map((n) => n.allocation),
    [0, 0],
  );
  assert.equal(agent.history("b")[0]!.reward, 0);
  assert.equal(second.length, 0);
  // the copied tree has no data of the last step
  assert.deepEqual(a()[1]!.state.tree.subskills[0]!.dataIds, []);

  // explore, zero, explore, zero, explore: 60 + 60 + 60 = 180 < 200 -> a fourth explore (240), then only zeros
  const perStep: number[] = [];
  for (let step = 3; step <= 10; step++) {
    const data = await agent.generate(results(0.75, 0.5), student);
    perStep.push(data.filter((d) => d.skill === "a").length);
  }
  assert.deepEqual(perStep, [60, 0, 60, 0, 60, 0, 0, 0]);
  assert.ok(
    a()
      .slice(-3)
      .every((h) => h.action.kind === "exploit" && requested(h.state.tree) === 0),
  );
  assert.equal(a()[2]!.state.tree.subskills.length, 4, "explore adds to the tree");

  // the state survives a resume
  const resumed = new SkillTreeAgent(engine, skills, task, new AlternatingExploreExploit());
  resumed.restore(JSON.parse(JSON.stringify(agent.state())));
  assert.deepEqual(resumed.history("a"), a());
});

test("quality check in the skill tree: unreadable data are dropped; mastered subskills show accuracy 1", async () => {
  const engine = new CountingEngine();
  engine.unreadableFor = "a-s1";
  const agent = new SkillTreeAgent(
    engine,
    skills,
    task,
    new AlternatingExploreExploit({ explore: 2, allocation: 2 }),
  );
  // the student already knows a-s0's problems
  const student = new LookupStudent(
    new Map([0, 1].map((i) => [`a-s0 problem ${i}`, "\\boxed{1}"])),
  );
  const data = await agent.generate(results(0, 0), student);
  const [s0, s1] = agent.history("a")[0]!.state.tree.subskills;
  assert.equal(s0!.performanceOnTrainingData, 1);
  assert.deepEqual(s0!.quality, { passed: 2, checked: 2 });
  assert.equal(s1!.performanceOnTrainingData, null);
  assert.deepEqual(s1!.quality, { passed: 0, checked: 2 });
  assert.deepEqual(s1!.dataIds, []);
  assert.equal(data.filter((d) => d.subskill === "a-s1").length, 0);
  assert.equal(data.length, 6);
});

test("exploit floors allocations at 0; fill-balanced grows the tree then tops subskills up", async () => {
  const tree = {
    skill: "a",
    subskills: [
      {
        name: "x",
        allocation: 5,
        dataIds: [],
        problems: [],
        quality: { passed: 0, checked: 0 },
        performanceOnTrainingData: null,
      },
    ],
  };
  applyExploit(tree, { x: -9, unknown: 4 });
  assert.equal(tree.subskills[0]!.allocation, 0);

  const engine = new CountingEngine();
  engine.unreadableFor = "a-s0";
  const agent = new SkillTreeAgent(
    engine,
    new LabelSkills(["a"]),
    task,
    new FillBalancedSkillTree({ maxSubskills: 3, perSubskill: 4, explore: 2 }),
  );
  const student = new LookupStudent();
  const sizes: number[] = [];
  for (let i = 0; i < 3; i++) sizes.push((await agent.generate(results(0, 0), student)).length);
  // 2 subskills × 4 (a-s0's fail), then 1 more × 4 (the old ones keep their allocation of 4:
  // a-s0 failed again, a-s1 made 4 more), then top-ups: a-s0 still lacks 4, the rest are full
  assert.deepEqual(
    agent
      .history("a")
      .map((h) => h.state.tree.subskills.map((n) => `${n.name}:${n.allocation}`).join(" ")),
    ["a-s0:4 a-s1:4", "a-s0:4 a-s1:4 a-s2:4", "a-s0:4 a-s1:0 a-s2:0"],
  );
  assert.deepEqual(sizes, [4, 8, 0]);
});

test("weakness policy with a budget: every step spends the budget, weak skills and unmastered subskills get most", async () => {
  const engine = new CountingEngine();
  const agent = new SkillTreeAgent(
    engine,
    skills,
    task,
    new WeaknessPolicy({ explore: 2, allocation: 10 }),
    { budget: 20 },
  );
  // the student already solves a-s0's problems (performance 1 on its data)
  const student = new LookupStudent(
    new Map(Array.from({ length: 20 }, (_, i) => [`a-s0 problem ${i}`, "\\boxed{1}"])),
  );
  const first = await agent.generate(results(0.25, 0.5), student);
  assert.equal(first.length, 20, "explore(2, 10) on 2 skills = 40, rescaled to 20");
  // a improved (reward > 0): exploit; b did not (reward 0): explore one more subskill
  const second = await agent.generate(results(0.5, 0.5), student);
  assert.equal(second.length, 20);
  assert.equal(agent.history("a")[1]!.action.kind, "exploit");
  assert.equal(agent.history("b")[1]!.action.kind, "explore");
  const a = agent.history("a")[1]!.state.tree.subskills;
  assert.equal(a.find((n) => n.name === "a-s0")!.allocation, 0, "mastered: nothing");
  assert.ok(a.find((n) => n.name === "a-s1")!.allocation > 0);
  assert.equal(agent.history("b")[1]!.state.tree.subskills.length, 3);
});
