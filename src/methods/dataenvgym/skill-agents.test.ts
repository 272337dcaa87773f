import assert from "node:assert/strict";
import { test } from "node:test";
import type { EvalItem } from "../../evals/eval-item.ts";
import type { GenerateRequest } from "../../model/language-model.ts";
import { ScriptedModel } from "../../testing/scripted-model.ts";
import { LlmDataEngine } from "./llm-engine.ts";
import { MathTask } from "./math-task.ts";
import { OpenEndedAgent } from "./open-ended-agent.ts";
import { LabelSkills, LlmSkillDiscovery } from "./skill-discovery.ts";
import { SkillListAgent } from "./skill-list-agent.ts";
import type { CompletedInstance } from "./types.ts";

const problems = [
  "add 2 and 3",
  "add 5 and 8",
  "subtract 4 from 9",
  "subtract 1 from 7",
  "multiply 3 by 3",
];
const task = new MathTask(
  "words",
  problems.map<EvalItem>((q, i) => ({
    id: `p${i}`,
    question: q,
    answer: String(i),
    answerType: "number",
    meta: {},
  })),
);
/** p0, p2, p3 wrong; p1, p4 right. */
const completed: CompletedInstance[] = task.instances.map((instance, i) => ({
  instance,
  response: `\\boxed{${[9, 1, 9, 9, 4][i]}}`,
  correct: i === 1 || i === 4,
}));
const userText = (r: GenerateRequest) => r.messages!.at(-1)!.content;
const worked = (problem: string, answer: string) => ({
  problem,
  reasoning: `so ${answer}`,
  final_answer: answer,
});

test("acceptance 3: one teacher call per skill with only that skill's errors in the prompt", async () => {
  const teacher = new ScriptedModel({
    script: (r) => {
      const skill = /skill "(\w+)"/.exec(userText(r))![1]!;
      return JSON.stringify({
        hypotheses: [
          {
            weak_skill: `${skill}-a`,
            data: [worked(`${skill} 1`, "1"), worked(`${skill} 2`, "2")],
          },
          { weak_skill: `${skill}-b`, data: [worked(`${skill} 3`, "3")] },
        ],
      });
    },
  });
  const firstWord = new LabelSkills(
    ["add", "subtract", "multiply"],
    (x) => x.instruction.split(" ")[0]!,
  );
  const agent = new SkillListAgent(new LlmDataEngine(teacher, task, { backoffMs: 0 }), firstWord, {
    hypotheses: 2,
    perHypothesis: 2,
  });
  const data = await agent.generate(completed);
  // "multiply" has no error: no call (only-errors default)
  assert.equal(teacher.calls.length, 2);
  const [add, sub] = teacher.calls.map(userText);
  assert.match(add!, /skill "add"/);
  assert.ok(add!.includes("add 2 and 3") && !add!.includes("add 5 and 8"), "only the error");
  assert.ok(!add!.includes("subtract"), "no other skill's errors");
  assert.ok(sub!.includes("subtract 4 from 9") && sub!.includes("subtract 1 from 7"));
  assert.ok(!sub!.includes("add 2"));
  assert.equal(teacher.calls[0]!.jsonSchema !== undefined, true);
  assert.deepEqual(
    data.map((d) => `${d.skill}/${d.subskill}:${d.instruction}`),
    [
      "add/add-a:add 1",
      "add/add-a:add 2",
      "add/add-b:add 3",
      "subtract/subtract-a:subtract 1",
      "subtract/subtract-a:subtract 2",
      "subtract/subtract-b:subtract 3",
    ],
  );
  assert.equal(data[0]!.response, "so 1\nFinal Answer: The final answer is $\\boxed{1}$.");
  assert.equal(new Set(data.map((d) => d.id)).size, data.length);

  // every skill (no-error skills get the "harder" prompt), and a budget split by error counts
  teacher.calls.length = 0;
  const all = new SkillListAgent(new LlmDataEngine(teacher, task, { backoffMs: 0 }), firstWord, {
    onlyErrors: false,
    hypotheses: 2,
    budget: 3,
  });
  const split = await all.generate(completed);
  assert.equal(
    teacher.calls.length,
    2,
    "multiply has 0 of the budget's 3 (1 add error, 2 subtract)",
  );
  assert.deepEqual(
    split.map((d) => d.skill),
    ["add", "subtract", "subtract"],
  );
});

test("skill-list without errors on a skill asks for harder problems of it", async () => {
  const teacher = new ScriptedModel({ script: () => JSON.stringify({ hypotheses: [] }) });
  const agent = new SkillListAgent(
    new LlmDataEngine(teacher, task, { backoffMs: 0 }),
    new LabelSkills(["multiply"], () => "multiply"),
    { onlyErrors: false },
  );
  await agent.generate(completed.filter((c) => c.correct));
  assert.match(userText(teacher.calls[0]!), /harder subskills of "multiply"/);
});

test("open-ended: each call shows sampled task problems and errors with their problems; budget / perCall calls", async () => {
  const teacher = new ScriptedModel({
    script: (_r, i) =>
      i === 1
        ? "not json" // dropped then retried
        : JSON.stringify({ data: [worked(`new ${i}`, "7"), worked(`new ${i}b`, "8")] }),
  });
  const drops: string[] = [];
  const engine = new LlmDataEngine(teacher, task, {
    backoffMs: 0,
    retries: 0,
    onDrop: (r) => drops.push(r),
  });
  const agent = new OpenEndedAgent(engine, task.instances, { budget: 6, perCall: 2, seed: 3 });
  const data = await agent.generate(completed);
  assert.equal(teacher.calls.length, 3);
  assert.equal(drops.length, 1, "the unparseable reply is dropped (no retries here)");
  assert.equal(data.length, 4, "the actual count, not the budget");
  const prompt = userText(teacher.calls[0]!);
  const shownErrors = [...prompt.matchAll(/Mistake \d+\nProblem: (.+)/g)].map((m) => m[1]);
  assert.equal(shownErrors.length, 3);
  assert.deepEqual(
    new Set(shownErrors),
    new Set(["add 2 and 3", "subtract 4 from 9", "subtract 1 from 7"]),
  );
  assert.equal((prompt.match(/Example \d+:/g) ?? []).length, 3);
  assert.match(prompt, /Write 2 new problems/);
  // the state survives a resume: the same draws after restore
  const again = new OpenEndedAgent(engine, task.instances, { budget: 6, perCall: 2, seed: 3 });
  const s = agent.state();
  again.restore(s);
  assert.deepEqual(again.state(), s);
});

test("metacognitive discovery: label, cluster, map with re-asks; frozen offline it refuses unseen problems", async () => {
  const teacher = new ScriptedModel({
    script: (r) => {
      const text = userText(r);
      if (text.includes("fine-grained skill"))
        return JSON.stringify({ skill: `${/Problem: (\w+)/.exec(text)![1]}_numbers` });
      if (text.includes("Group them"))
        return JSON.stringify({
          categories: [
            { name: "addition", skills: ["add_numbers"] },
            { name: "other", skills: ["subtract_numbers", "multiply_numbers"] },
          ],
        });
      // step 3: the first problem is first answered outside the list, then right
      const problem = /Problem: (.+)/.exec(text)![1]!;
      if (problem === "add 2 and 3" && !r.seed) return JSON.stringify({ category: "sums" });
      return JSON.stringify({ category: problem.startsWith("add") ? "addition" : "other" });
    },
  });
  const d = await LlmSkillDiscovery.discover(teacher, task.instances.slice(0, 3), {
    backoffMs: 0,
    seed: 0,
  });
  assert.deepEqual(d.skills, ["addition", "other"]);
  assert.equal(await d.skillOf(task.instances[0]!), "addition");
  assert.equal(await d.skillOf(task.instances[2]!), "other");
  const path = `${process.env["TMPDIR"] ?? "/tmp"}/gym-skills-${process.pid}.json`;
  d.save(path);
  const frozen = LlmSkillDiscovery.load(path, undefined, { offline: true });
  assert.equal(await frozen.skillOf(task.instances[1]!), "addition");
  await assert.rejects(frozen.skillOf(task.instances[4]!), /frozen offline/);
});
