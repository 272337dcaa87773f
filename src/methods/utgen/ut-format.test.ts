import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError } from "../../model/errors.ts";
import { ScriptedModel } from "../../testing/scripted-model.ts";
import type { DebugTask } from "./debug-task.ts";
import { chatFormat } from "./ut-format.ts";
import { sandboxHarness } from "./ut-harness.ts";
import { utDebug } from "./utdebug.ts";

const task: DebugTask = {
  id: "t",
  description: "Return the list in order.",
  codePrompt: "def f(xs):",
  signature: "f(xs: list[int]) -> list[int]",
  entryPoint: "f",
  buggyCode: "def f(xs):\n    return xs\n",
  hiddenTest: "assert f([2, 1]) == [1, 2]",
  language: "python",
};

test("the default chat format sends chat messages (with the prefill for SC votes), no stop strings", () => {
  const messages = chatFormat.unitTestPrompt(task, task.buggyCode, "adversarial");
  assert.deepEqual(chatFormat.request(messages), { messages });
  assert.deepEqual(chatFormat.request(messages, "### Unit Test"), {
    messages,
    prefill: "### Unit Test",
  });
  assert.equal(chatFormat.extractCode("```python\nx = 1\n```"), "x = 1\n");
});

test("a language the sandbox does not run needs its own harness, and the error says so", async () => {
  assert.throws(
    () => sandboxHarness("prog"),
    (e: Error) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /not "prog"; pass a harness/);
      return true;
    },
  );
  const model = new ScriptedModel({ script: [] });
  await assert.rejects(
    utDebug({ ...task, language: "prog" }, { utgen: model, debugger: model }),
    ConfigError,
  );
  assert.equal(model.calls.length, 0);
});
