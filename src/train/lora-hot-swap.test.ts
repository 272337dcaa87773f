import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { loadLlamaCppModel } from "../engines/llamacpp/index.ts";
import { Trainable } from "./trainable.ts";

const stories = new URL("../../../shared/models/stories260K.gguf", import.meta.url).pathname;
const dir = await mkdtemp(join(tmpdir(), "chorus-hot-swap-"));
after(() => rm(dir, { recursive: true, force: true }));

const prompt = "Once upon a time";

/** Trains a LoRA that makes stories260K continue `prompt` with `completion`; returns its path. */
async function trainAdapter(name: string, completion: string, seed: number): Promise<string> {
  const t = await Trainable.load(stories, {
    lora: { rank: 4, alpha: 8, targets: ["attn_q", "attn_v", "attn_output", "ffn_down"], seed },
  });
  try {
    // As in trainable.test.ts: stories260K never saw EOS, so train without it.
    await t.sft([{ prompt, completion }], {
      epochs: 40,
      batchSize: 1,
      lr: 1e-2,
      warmupSteps: 2,
      seed,
      appendEos: false,
    });
    const path = join(dir, `${name}.gguf`);
    await t.saveAdapter(path);
    return path;
  } finally {
    await t.close();
  }
}

test("train -> serve -> train again on one loaded model: setLora swaps trained adapters without reloading", async () => {
  const completionA = " the purple robot sang to the moon.";
  const completionB = " a green frog ate the big cake.";
  const adapterA = await trainAdapter("a", completionA, 1);
  const model = await loadLlamaCppModel({ modelPath: stories, contextSize: 128, gpu: false });
  try {
    const weights = model.llamaModel;
    const say = async () => {
      const r = await model.generate({ prompt, maxTokens: 24, temperature: 0 });
      return r.generations[0]!.text.trim();
    };
    // FFI path: teacher-forced log-prob of each completion.
    const logprob = async (completion: string) =>
      (await model.score({ prompt, continuation: completion })).total;

    const base = await say();
    assert.ok(!base.startsWith("the purple") && !base.startsWith("a green"), base);
    const baseA = await logprob(completionA);

    await model.setLora([{ path: adapterA }]);
    const saidA = await say();
    assert.ok(saidA.startsWith(completionA.trim()), saidA);
    const withA = await logprob(completionA);
    assert.ok(withA > baseA + 10, `log p(A) ${baseA} -> ${withA} under adapter A`);

    await model.setLora([]);
    assert.equal(await say(), base);
    assert.equal(await logprob(completionA), baseA, "cleared: the base model's exact numbers");

    // The next round of a method loop: train again while the model stays loaded, then serve it.
    const adapterB = await trainAdapter("b", completionB, 2);
    const baseB = await logprob(completionB);
    await model.setLora([{ path: adapterB }]);
    const saidB = await say();
    assert.ok(saidB.startsWith(completionB.trim()), saidB);
    assert.ok((await logprob(completionB)) > baseB + 10);
    assert.ok((await logprob(completionA)) < withA - 10, "A's completion is no longer favoured");

    assert.equal(model.llamaModel, weights, "the same loaded weights served every adapter");
  } finally {
    await model.close();
  }
});
