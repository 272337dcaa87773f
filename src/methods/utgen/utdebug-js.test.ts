import assert from "node:assert/strict";
import { test } from "node:test";
import type { GenerateRequest } from "../../model/language-model.ts";
import { ScriptedModel } from "../../testing/scripted-model.ts";
import type { DebugTask } from "./debug-task.ts";
import { runHiddenTests } from "./hidden-tests.ts";
import { UtHarness } from "./ut-harness.ts";
import { utDebug } from "./utdebug.ts";

// The spec's T5 on a JavaScript task (HumanEvalFix JS): the same loop, with the JS harness.
const gold = "const total = (xs) => {\n  return xs.reduce((a, b) => a + b, 0)\n}\n";
const buggy = "const total = (xs) => {\n  return xs.slice(0, -1).reduce((a, b) => a + b, 0)\n}\n";
const task: DebugTask = {
  id: "total-js",
  language: "js",
  description: "Return the sum of an array of integers.",
  codePrompt: "/* Return the sum of an array of integers. */\nconst total = (xs) => {\n",
  signature: "const total = (xs)",
  entryPoint: "total",
  buggyCode: buggy,
  goldCode: gold,
  hiddenTest: "console.assert(total([1, 2, 3]) === 6)\nconsole.assert(total([]) === 0)\n",
};

const ut = (input: string) =>
  `### Hypothesis\nthe last element is skipped\nError Pattern: off-by-one\n\n### Unit Test\n#### Input Arguments\nArguments:\n\`\`\`\ntotal(${input})\n\`\`\`\n\n### Output\nOutput:\n\`\`\`\n0\n\`\`\`\n`;

test("JS task: harness semantics, and UTDebug fixes the code and stops after round 1", async () => {
  const harness = new UtHarness({}, "js");
  const verdicts = await harness.run(buggy, "total", [
    { input: "[1, 2, 3]", output: "6" },
    { input: "[]", output: "0" },
    { input: "[0.1, 0.2], 0", output: "0.1" },
    { input: "null", output: "0" },
  ]);
  assert.deepEqual(
    verdicts.map((v) => v.verdict),
    ["fail", "pass", "pass", "error"],
  );
  assert.equal(verdicts[0]!.actual, "3");
  const parsed = await harness.parse(["[1, 2]", "[1,2]", "(("], ["[1, 2.0]", "{b: 1, a: [2]}"]);
  assert.equal(parsed.inputs[0]!.key, parsed.inputs[1]!.key);
  assert.equal(parsed.inputs[2]!.ok, false);
  assert.deepEqual(
    parsed.literals.map((l) => l.str),
    ["[1, 2]", '{"a": [2], "b": 1}'],
  );

  const inputs = ["[1, 2, 3]", "[4]", "[5, 5]", "[2, 2]", "[1]", "[3, 4]"];
  const kind = (r: GenerateRequest) =>
    r.prefill !== undefined
      ? "sc"
      : r.messages?.[0]?.content.includes("unit test")
        ? "ut"
        : "debug";
  const model = new ScriptedModel({
    script: (request) => {
      const k = kind(request);
      if (k === "ut") return ut(inputs.shift()!);
      if (k === "sc") {
        const xs = JSON.parse(/total\((.*)\)\n/.exec(request.prefill!)![1]!) as number[];
        const sum = String(xs.reduce((a, b) => a + b, 0));
        return Array.from({ length: 8 }, () => `### Output\nOutput:\n\`\`\`\n${sum}\n\`\`\`\n`);
      }
      return `Fixed:\n\`\`\`js\n${gold}\`\`\`\n`;
    },
  });
  const result = await utDebug(task, { utgen: model, debugger: model }, {}, { harness });
  assert.match(model.calls[0]!.messages![0]!.content, /JavaScript values/);
  assert.equal(result.rounds.length, 2);
  assert.equal(result.rounds[1]!.stopped, true);
  assert.equal(result.finalCode, gold);
  assert.match(result.history[2]!.content, /Input: total\(\[1, 2, 3\]\)\nOutput of the code: 3\n/);
  assert.equal((await runHiddenTests(task, result.finalCode)).pass, true);
  assert.equal((await runHiddenTests(task, buggy)).pass, false);
});
