import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import type { EvalItem } from "../../evals/eval-item.ts";
import { CopyErrorsAgent } from "./copy-errors-agent.ts";
import { GymEnvironment } from "./environment.ts";
import { runEpisode } from "./episode.ts";
import { MathTask } from "./math-task.ts";
import type { TestAnswer } from "./run-folder.ts";
import { LookupStudent } from "./stub-students.ts";
import type { DataGenerationAgent, TrainingDatum } from "./types.ts";

const dir = await mkdtemp(join(tmpdir(), "chorus-gym-episode-"));
after(() => rm(dir, { recursive: true, force: true }));

/** 20 sums, sliced by whether they carry. */
const items: EvalItem[] = Array.from({ length: 20 }, (_, i) => ({
  id: `sum-${i}`,
  question: `What is ${i + 3} + ${2 * i + 4}?`,
  answer: String(3 * i + 7),
  answerType: "number",
  meta: { skill: (i % 10) + ((2 * i + 4) % 10) >= 10 ? "carry" : "no-carry" },
}));
const task = new MathTask("sums", items);
const knowsFirstHalf = new Map(
  task.instances.slice(0, 10).map((x) => [x.instruction, task.reference(x)]),
);

test("acceptance 1: copying each error with its gold answer makes validation 100% after one step", async () => {
  const student = new LookupStudent(knowsFirstHalf);
  const env = new GymEnvironment({ validation: task, student });
  const { records } = await runEpisode({ env, agent: new CopyErrorsAgent(task), cycles: 1 });
  assert.deepEqual(
    records.map((r) => [r.cycle, r.validation.accuracy]),
    [
      [0, 0.5],
      [1, 1],
    ],
  );
  assert.deepEqual(records[1]!.generated, [10]);
  assert.equal(student.trainCalls.length, 1);
  assert.equal(student.trainCalls[0]!.length, 10);
  // per-skill slices in every report
  assert.deepEqual(
    records[1]!.validation.slices.map((s) => s.name),
    ["carry", "no-carry"],
  );
  assert.ok(records[0]!.validation.slices.every((s) => s.count > 0));
});

test("acceptance 1-2: train gets the accumulated list, growing 10 -> 20 across steps", async () => {
  const student = new LookupStudent();
  const env = new GymEnvironment({ validation: task, student });
  const { records } = await runEpisode({ env, agent: new CopyErrorsAgent(task, 10), cycles: 3 });
  assert.deepEqual(
    student.trainCalls.map((c) => c.length),
    [10, 20],
  );
  // the second call holds the first call's data, in order: retraining from the base on everything
  assert.deepEqual(
    student.trainCalls[1]!.slice(0, 10).map((d) => d.id),
    student.trainCalls[0]!.map((d) => d.id),
  );
  assert.deepEqual(
    records.map((r) => [r.validation.accuracy, r.generated]),
    [
      [0, []],
      [0.5, [10]],
      [1, [10]],
      // no errors left: the teacher adds nothing, so the student is not retrained
      [1, [0]],
    ],
  );
});

test("acceptance 2: the code closed loop trains on the new data only", async () => {
  const student = new LookupStudent();
  const env = new GymEnvironment({ validation: task, student, trainOn: "new" });
  await runEpisode({ env, agent: new CopyErrorsAgent(task, 10), cycles: 2 });
  assert.deepEqual(
    student.trainCalls.map((c) => c.length),
    [10, 10],
  );
  assert.notDeepEqual(
    student.trainCalls[1]!.map((d) => d.id),
    student.trainCalls[0]!.map((d) => d.id),
  );
  assert.equal(env.accumulated.length, 20);
});

/** Makes `n` fresh data per call, whatever the feedback. */
const fixedAgent = (n: number): DataGenerationAgent & { calls: number } => ({
  name: "fixed",
  calls: 0,
  async generate(): Promise<TrainingDatum[]> {
    const call = this.calls++;
    return Array.from({ length: n }, (_, i) => ({
      id: `d${call}-${i}`,
      instruction: `x${call}-${i}`,
      response: "y",
    }));
  },
});

test("stop check: 'total' stops on the accumulated count, 'batch' (run_episode) on the latest batch", async () => {
  const total = await runEpisode({
    env: new GymEnvironment({ validation: task, student: new LookupStudent() }),
    agent: fixedAgent(4),
    cycles: 10,
    stopAt: 10,
  });
  // 4, 8, 12: the third cycle reaches 10; no fourth
  assert.deepEqual(
    total.records.map((r) => r.accumulated),
    [0, 4, 8, 12],
  );
  const batch = await runEpisode({
    env: new GymEnvironment({ validation: task, student: new LookupStudent() }),
    agent: fixedAgent(4),
    cycles: 5,
    stopAt: 10,
    stopCheck: "batch",
  });
  // no batch of 4 ever reaches 10: the official check never fires
  assert.equal(batch.records.at(-1)!.accumulated, 20);
});

test("accumulation iterations: two teacher calls per cycle on the cycle's feedback, one training", async () => {
  const student = new LookupStudent();
  const agent = fixedAgent(3);
  const { records } = await runEpisode({
    env: new GymEnvironment({ validation: task, student }),
    agent,
    cycles: 2,
    iterationsPerCycle: 2,
  });
  assert.deepEqual(
    records.map((r) => r.generated),
    [[], [3, 3], [3, 3]],
  );
  assert.deepEqual(
    student.trainCalls.map((c) => c.length),
    [6, 12],
  );
});

test("a killed episode resumes after its last finished cycle with the saved data and teacher state", async () => {
  const out = join(dir, "resume");
  const first = new LookupStudent();
  await runEpisode({
    env: new GymEnvironment({ validation: task, student: first }),
    agent: fixedAgent(2),
    cycles: 2,
    dir: out,
  });
  const agent = new CopyErrorsAgent(task, 5);
  const second = new LookupStudent();
  const resumed = await runEpisode({
    env: new GymEnvironment({ validation: task, student: second }),
    agent,
    cycles: 4,
    dir: out,
  });
  assert.equal(resumed.resumedCycles, 3);
  assert.deepEqual(
    resumed.records.map((r) => r.cycle),
    [0, 1, 2, 3, 4],
  );
  // first the retraining from the base on the 4 saved data, then 4 + 5, then 4 + 10
  assert.deepEqual(
    second.trainCalls.map((c) => c.length),
    [4, 9, 14],
  );
  assert.deepEqual(
    resumed.records.map((r) => r.accumulated),
    [0, 2, 4, 9, 14],
  );
  // a finished episode resumes to its records without training
  const done = new LookupStudent();
  const again = await runEpisode({
    env: new GymEnvironment({ validation: task, student: done }),
    agent,
    cycles: 4,
    dir: out,
  });
  assert.equal(again.records.length, 5);
  assert.equal(done.trainCalls.length, 0);
});

test("the folder keeps every tested cycle's answers to the test problems (the viewer's items)", async () => {
  const out = join(dir, "answers");
  const student = new LookupStudent(knowsFirstHalf);
  const env = new GymEnvironment({ validation: task, test: task, student });
  await runEpisode({ env, agent: new CopyErrorsAgent(task), cycles: 2, dir: out });
  const lines = readFileSync(join(out, "test-answers.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as TestAnswer);
  // cycle 2 had no errors to copy, so no new data and no new answers
  assert.deepEqual(
    [0, 1, 2].map((c) => lines.filter((l) => l.cycle === c).length),
    [20, 20, 0],
  );
  const before = lines.filter((l) => l.cycle === 0);
  assert.equal(before.filter((l) => l.correct).length, 10);
  const first = before.find((l) => l.id === task.instances[0]!.id)!;
  assert.equal(first.question, task.instances[0]!.instruction);
  assert.equal(first.gold, task.instances[0]!.gold);
  assert.equal(first.skill, task.instances[0]!.skill);
  assert.ok(lines.filter((l) => l.cycle === 1).every((l) => l.correct));
});
