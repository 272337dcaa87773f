import assert from "node:assert/strict";
import { test } from "node:test";
import { staticModelSource } from "../../evals/model-source.ts";
import { runEval } from "../../evals/run-eval.ts";
import { ScriptedModel } from "../../testing/scripted-model.ts";
import type { MagicoreAgents } from "./agents.ts";
import { bestOfKMethod, selfConsistencyMethod } from "./baselines.ts";
import { magicoreMethod } from "./eval-method.ts";
import { roleOptions } from "./eval-setup.ts";

/** Roles in a format the `\boxed{}` parser cannot read: "result N"; the ORM likes odd answers. */
function customAgents(calls: string[]): MagicoreAgents {
  return {
    solve: async (jobs) => {
      calls.push("solve");
      return jobs.map((j) =>
        Array.from(
          { length: j.value.k },
          (_, i) => `Step 1: think\nStep 2: result ${i === 0 ? 3 : 4}`,
        ),
      );
    },
    review: async (jobs) => jobs.map(() => "step 2 is wrong"),
    refine: async (jobs) => jobs.map(() => "Step 1: again\nStep 2: result 5"),
    orm: async (jobs) => jobs.map((j) => (/result [35]$/.test(j.value.solution) ? 0.9 : 0.1)),
    prm: async (jobs) => jobs.map((j) => j.value.steps.map(() => 0.5)),
  };
}

test("the agents and parseAnswer options replace the chat roles and the \\boxed{} parser", async () => {
  const calls: string[] = [];
  // any chat call fails the test: the custom roles must do all the work
  const model = new ScriptedModel({
    script: () => "",
    onCall: () => {
      throw new Error("the chat model was called");
    },
  });
  const result = await runEval({
    methods: [magicoreMethod, selfConsistencyMethod, bestOfKMethod],
    items: [{ id: "a", question: "q", answer: "3", answerType: "number", meta: {} }],
    dataset: { name: "t", split: "test", answerType: "number" },
    models: staticModelSource([model]),
    options: {
      k: 3,
      iterations: 1,
      agents: () => customAgents(calls),
      parseAnswer: (text: string) => /result (\d+)$/.exec(text)?.[1] ?? null,
    },
  });
  const byMethod = new Map(result.records.map((r) => [r.method, r]));
  assert.equal(byMethod.get("self-consistency")!.prediction, "4"); // 2 of 3 samples say 4
  assert.equal(byMethod.get("best-of-k")!.prediction, "3"); // the ORM prefers 3
  assert.notEqual(byMethod.get("magicore")!.prediction, null);
  assert.equal(calls.filter((c) => c === "solve").length, 1, "samples shared by the three methods");
  assert.equal(model.calls.length, 0);
});

test("role options of the wrong type are named", () => {
  assert.throws(() => roleOptions({ agents: "x" }), /agents: expected a function/);
  assert.throws(() => roleOptions({ parseAnswer: 1 }), /parseAnswer: expected a function/);
  assert.deepEqual(roleOptions({ k: 3 }), {});
});
