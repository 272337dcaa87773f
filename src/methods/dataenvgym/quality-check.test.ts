import assert from "node:assert/strict";
import { test } from "node:test";
import { MathTask, mathTarget } from "./math-task.ts";
import { checkQuality, passedData } from "./quality-check.ts";
import { LookupStudent } from "./stub-students.ts";
import type { TrainingDatum } from "./types.ts";

const task = new MathTask("math", [], "math");

test("acceptance 5: a datum (CoT '2+2=4', answer '4') renders to a response the scorer marks right against gold 4", async () => {
  const response = mathTarget("4", "2+2=4");
  assert.equal(response, "2+2=4\nFinal Answer: The final answer is $\\boxed{4}$.");
  const gold = { taskName: "math", id: "x", instruction: "What is 2+2?", gold: "4" };
  assert.equal(await task.score(gold, response), true);
  assert.equal(await task.score({ ...gold, gold: "5" }, response), false);
  assert.equal(task.answerOf(response), "4");
});

test("acceptance 5: an unparseable answer fails the quality check; the student's knowledge is recorded", async () => {
  const data: TrainingDatum[] = [
    { id: "ok", instruction: "What is 2+2?", response: mathTarget("4", "2+2=4") },
    { id: "torn", instruction: "Half of 1?", response: "1/2 so \\boxed{\\frac{1}{2}" },
    { id: "known", instruction: "What is 1+1?", response: mathTarget("2", "1+1=2") },
  ];
  const student = new LookupStudent(new Map([["What is 1+1?", "\\boxed{2}"]]));
  const verdicts = await checkQuality(task, data, student);
  assert.deepEqual(verdicts, [
    { id: "ok", passed: true, studentAccuracy: 0 },
    { id: "torn", passed: false, studentAccuracy: null },
    { id: "known", passed: true, studentAccuracy: 1 },
  ]);
  assert.deepEqual(
    passedData(data, verdicts).map((d) => d.id),
    ["ok", "known"],
  );
  const strict = await checkQuality(task, data, student, { dropKnown: true });
  assert.deepEqual(
    strict.map((v) => v.passed),
    [true, false, false],
  );
});
