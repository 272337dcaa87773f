import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { NativeModel } from "../engines/llamacpp/ffi/native-model.ts";
import { loadLlamaCppModel } from "../engines/llamacpp/index.ts";
import { getLlamaRuntime } from "../engines/llamacpp/llama-runtime.ts";
import { Trainable } from "./trainable.ts";

const stories = new URL("../../../shared/models/stories260K.gguf", import.meta.url).pathname;
const dir = await mkdtemp(join(tmpdir(), "chorus-method-loop-"));
after(() => rm(dir, { recursive: true, force: true }));

const prompt = "Once upon a time";
const sftTarget = " the purple robot sang to the moon.";
const dpoChosen = " a green frog ate the big cake.";

/**
 * The trainer issue's method-style loop on one Trainable and one loaded llama.cpp model:
 * SFT a LoRA -> serve it -> snapshot -> DPO against the snapshot -> serve -> restore -> serve.
 * Every stage is checked through the engine (greedy text and teacher-forced `score`).
 */
test("SFT -> setLora -> snapshot -> DPO vs the snapshot -> setLora -> restore -> setLora, no reload", async () => {
  const t = await Trainable.load(stories, {
    lora: { rank: 4, alpha: 8, targets: ["attn_q", "attn_v", "attn_output", "ffn_down"], seed: 1 },
  });
  // Count weight loads on both engine sides from here on: the engine model's one load each
  // (node-llama-cpp now, the FFI side at the first score), then none for the whole loop.
  const loads = { node: 0, native: 0 };
  const { llama } = await getLlamaRuntime(false);
  const loadModel = llama.loadModel;
  const nativeLoad = NativeModel.load;
  llama.loadModel = (options) => {
    loads.node++;
    return loadModel.call(llama, options);
  };
  NativeModel.load = (...args) => {
    loads.native++;
    return nativeLoad.apply(NativeModel, args);
  };
  const model = await loadLlamaCppModel({ modelPath: stories, contextSize: 128, gpu: false });
  try {
    const weights = model.llamaModel;
    const say = async () =>
      (await model.generate({ prompt, maxTokens: 24, temperature: 0 })).generations[0]!.text;
    const logprob = async (continuation: string) =>
      (await model.score({ prompt, continuation })).total;
    /** Writes the trainer's current adapter and serves it on the loaded model. */
    const serve = async (name: string) => {
      const path = join(dir, `${name}.gguf`);
      await t.saveAdapter(path);
      await model.setLora([{ path }]);
      return path;
    };

    const base = await say();
    assert.ok(!base.trim().startsWith("the purple"), base);

    // 1. SFT: the prompt's greedy continuation becomes the target (stories260K never saw EOS).
    const s = t.session({ lr: 1e-2, batchSize: 1, seed: 1, warmupSteps: 2 });
    await s.sft([{ prompt, completion: sftTarget }], { steps: 30, appendEos: false });
    const sftPath = await serve("sft");
    const saidSft = await say();
    assert.ok(saidSft.trim().startsWith(sftTarget.trim()), `SFT stage said: ${saidSft}`);
    const sft = { target: await logprob(sftTarget), chosen: await logprob(dpoChosen) };

    // 2. Snapshot the SFT policy and run DPO against it: chosen = another continuation,
    // rejected = the SFT target. With one pair and a high LR, plain DPO drives the rejected
    // down much faster than it lifts the chosen (measured: chosen -88 -> -57, greedy text
    // degenerate), so the chosen's NLL term (RPO, as LASeR uses) anchors it.
    const policy = t.snapshot();
    let firstMargin = Number.NaN;
    await s.dpo([{ prompt, chosen: dpoChosen, rejected: sftTarget }], {
      steps: 20,
      beta: 0.1,
      nllWeight: 1,
      reference: policy,
      appendEos: false,
      onStep: (i) => {
        if (i.step === 31) firstMargin = i.metrics.margin!;
      },
    });
    // The reference is the snapshot, not the base: before the first update the policy equals
    // it, so the margin is 0 up to float32 rounding (against the loaded weights: about -98).
    assert.ok(Math.abs(firstMargin) < 1e-3, `first DPO margin ${firstMargin}`);
    await serve("dpo");
    const saidDpo = await say();
    assert.ok(saidDpo.trim().startsWith(dpoChosen.trim()), `DPO stage said: ${saidDpo}`);
    const dpo = { target: await logprob(sftTarget), chosen: await logprob(dpoChosen) };
    assert.ok(dpo.chosen > sft.chosen + 10, `log p(chosen) ${sft.chosen} -> ${dpo.chosen}`);
    assert.ok(dpo.target < sft.target - 10, `log p(rejected) ${sft.target} -> ${dpo.target}`);

    // 3. Back to the SFT policy: the same adapter bytes, so the engine's exact SFT numbers.
    t.restore(policy);
    const restoredPath = await serve("restored");
    assert.deepEqual(await readFile(restoredPath), await readFile(sftPath));
    assert.equal(await say(), saidSft);
    assert.equal(await logprob(sftTarget), sft.target);
    assert.equal(await logprob(dpoChosen), sft.chosen);

    assert.deepEqual(loads, { node: 1, native: 1 }, "one load of the weights on each side");
    assert.equal(model.llamaModel, weights, "the same loaded weights served every stage");
  } finally {
    llama.loadModel = loadModel;
    NativeModel.load = nativeLoad;
    await model.close();
    await t.close();
  }
});
