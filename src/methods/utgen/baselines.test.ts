import assert from "node:assert/strict";
import { test } from "node:test";
import { ScriptedModel } from "../../testing/scripted-model.ts";
import type { DebugTask } from "./debug-task.ts";
import { intrinsicEval } from "./intrinsic-metrics.ts";
import { selfDebug } from "./self-debug.ts";
import { UtHarness } from "./ut-harness.ts";

const gold = "def total(xs):\n    return sum(xs)\n";
const buggy = "def total(xs):\n    return sum(xs[:-1])\n";
const task: DebugTask = {
  id: "total",
  language: "python",
  description: "Return the sum of a list of integers.",
  codePrompt: "def total(xs):\n",
  signature: "total(xs)",
  entryPoint: "total",
  buggyCode: buggy,
  goldCode: gold,
  hiddenTest: "assert total([1, 2]) == 3\n",
};

const ut = (input: string, output: string) =>
  `### Hypothesis\nskips the last one\nError Pattern: off-by-one\n\n### Unit Test\n#### Input Arguments\nArguments:\n\`\`\`\ntotal(${input})\n\`\`\`\n\n### Output\nOutput:\n\`\`\`\n${output}\n\`\`\`\n`;

test("intrinsicEval samples nUts UTs for the buggy code and scores them", async () => {
  const model = new ScriptedModel({
    script: [ut("[1, 2, 3]", "6"), ut("[]", "0"), "I cannot write a test."],
  });
  const { tests, scores } = await intrinsicEval(task, model, new UtHarness());
  assert.deepEqual(tests, [
    { input: "[1, 2, 3]", output: "6" },
    { input: "[]", output: "0" },
    undefined,
  ]);
  assert.deepEqual(
    [scores.total, scores.attack, scores.outputCorrect, scores.accAttack],
    [3, 1, 2, 1],
  );
  // the adversarial prompt shows the buggy code; T 0.8 / top-p 0.9 by default
  assert.match(model.calls[0]!.messages![0]!.content, /sum\(xs\[:-1\]\)/);
  assert.equal(model.calls[0]!.temperature, 0.8);
});

test("self-debug: rewrites on 'incorrect', stops on 'correct', never runs code", async () => {
  const model = new ScriptedModel({
    script: [
      `The slice drops the last element.\nVerdict: incorrect\n\`\`\`python\n${gold}\`\`\``,
      "Now every element is added.\nVerdict: correct",
      "unexpected third call",
    ],
  });
  const result = await selfDebug(task, model, { rounds: 3 });
  assert.equal(result.finalCode, gold);
  assert.deepEqual(
    result.rounds.map((r) => [r.verdict, r.changed]),
    [
      ["incorrect", true],
      ["correct", false],
    ],
  );
  assert.equal(model.calls.length, 2);
  assert.match(model.calls[0]!.messages!.at(-1)!.content, /Verdict: correct/);
});
