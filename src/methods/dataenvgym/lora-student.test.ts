import assert from "node:assert/strict";
import { test } from "node:test";
import { sharedFile } from "../../evals/shared-dir.ts";
import { abacusItems } from "../../testbed/abacus/abacus-eval.ts";
import { AbacusTask, abacusPrompt } from "./abacus-task.ts";
import { LoraStudent } from "./lora-student.ts";

const stories = sharedFile("models", "stories260K.gguf");

test("LoraStudent answers the same batched (evalBatch) as one prompt at a time", {
  skip: stories ? false : "no shared models",
}, async () => {
  const task = new AbacusTask("abacus", abacusItems(3, 1));
  const options = {
    lora: { rank: 4, alpha: 8, targets: ["attn_q", "attn_v", "ffn_up", "ffn_down"], seed: 1 },
    lr: 1e-2,
    epochs: 3,
    gradientAccumulation: 1,
    appendEos: false,
    maxTokens: 12,
    prompt: abacusPrompt,
    // Single tokens of stories260K ("▁the", "▁and"), so they join the stop tokens. Stops
    // themselves are tested on the decoders (src/train/generate.test.ts); this is the plumbing.
    stopAt: ["the", "and"],
    seed: 1,
  };
  const data = task.instances.slice(0, 2).map((x) => ({
    id: x.id,
    instruction: x.instruction,
    response: task.reference(x),
  }));
  const answers: string[][] = [];
  for (const evalBatch of [1, 3, 32]) {
    const student = await LoraStudent.load(stories!, { ...options, evalBatch });
    try {
      await student.train(data);
      answers.push(await student.predict(task.instances));
    } finally {
      await student.close();
    }
  }
  assert.equal(answers[0]!.length, task.instances.length);
  assert.ok(new Set(answers[0]).size > 1, "different prompts get different answers");
  assert.deepEqual(answers[1], answers[0]);
  assert.deepEqual(answers[2], answers[0]);
});
