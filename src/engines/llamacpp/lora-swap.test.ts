import assert from "node:assert/strict";
import { copyFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { writeRandomLora } from "../../gguf/index.ts";
import { ConfigError } from "../../model/errors.ts";
import type { LoraSpec } from "../../model/lora.ts";
import { NativeModel } from "./ffi/native-model.ts";
import { getLlamaRuntime } from "./llama-runtime.ts";
import type { LlamaCppModel } from "./llamacpp-model.ts";
import { loadLlamaCppModel } from "./load-llamacpp-model.ts";

const stories = new URL("../../../../shared/models/stories260K.gguf", import.meta.url).pathname;
const tinyRandom = new URL("../../../../shared/models/llama-2-tiny-random.gguf", import.meta.url)
  .pathname;
const prompt = "Once upon a time";

/** What a model says and computes for `prompt`: greedy text and the FFI path's raw logits. */
async function outputs(model: LlamaCppModel): Promise<{ text: string; logits: Float32Array }> {
  const g = await model.generate({ prompt, maxTokens: 12, temperature: 0 });
  const logits = await model.internals!.logits(prompt);
  return { text: g.generations[0]!.text, logits: Float32Array.from(logits) };
}

/** The same outputs from a model loaded fresh with `lora` (the load-time path, already tested). */
async function reference(lora: LoraSpec[]): Promise<{ text: string; logits: Float32Array }> {
  const model = await loadLlamaCppModel({ modelPath: stories, contextSize: 64, lora, gpu: false });
  try {
    return await outputs(model);
  } finally {
    await model.close();
  }
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

describe("LoRA hot swap on one loaded llama.cpp model (stories260K)", () => {
  let dir: string;
  let adapterA: string;
  let adapterB: string;
  let ref: Record<"base" | "a" | "b", { text: string; logits: Float32Array }>;
  let model: LlamaCppModel;
  const loads = { node: 0, native: 0 };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "chorus-lora-swap-"));
    adapterA = join(dir, "a.gguf");
    adapterB = join(dir, "b.gguf");
    const targets = ["attn_q", "attn_k", "attn_v", "attn_output"];
    await writeRandomLora(adapterA, stories, { rank: 4, std: 0.3, seed: 1, targets });
    await writeRandomLora(adapterB, stories, { rank: 4, std: 0.3, seed: 2, targets });
    ref = {
      base: await reference([]),
      a: await reference([{ path: adapterA }]),
      b: await reference([{ path: adapterB }]),
    };
    assert.notEqual(ref.a.text, ref.base.text, "adapter A must change the greedy text");
    assert.notEqual(ref.b.text, ref.base.text, "adapter B must change the greedy text");
    assert.notEqual(ref.a.text, ref.b.text);

    // Count weight loads on both sides from here on (the swaps must cause none).
    const { llama } = await getLlamaRuntime(false);
    const loadModel = llama.loadModel.bind(llama);
    llama.loadModel = (options) => {
      loads.node++;
      return loadModel(options);
    };
    const nativeLoad = NativeModel.load.bind(NativeModel);
    NativeModel.load = (path, lora) => {
      loads.native++;
      return nativeLoad(path, lora);
    };
    model = await loadLlamaCppModel({ modelPath: stories, contextSize: 64, gpu: false });
  });

  after(async () => {
    await model?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test("base -> A -> none -> B on one model gives each adapter's text and logits, with no reload", async () => {
    const weights = model.llamaModel;
    assert.equal(model.lora.length, 0);
    const base = await outputs(model);
    assert.equal(base.text, ref.base.text);
    assert.equal(maxDiff(base.logits, ref.base.logits), 0);

    await model.setLora([{ path: adapterA }]);
    assert.equal(model.lora.length, 1);
    const shaA = model.lora[0]!.sha256;
    assert.match(shaA, /^[0-9a-f]{64}$/);
    const a = await outputs(model);
    assert.equal(a.text, ref.a.text);
    assert.ok(
      maxDiff(a.logits, ref.a.logits) < 1e-5,
      `A logits differ by ${maxDiff(a.logits, ref.a.logits)}`,
    );
    assert.ok(maxDiff(a.logits, base.logits) > 0.1, "the FFI logits must change with the adapter");

    await model.setLora([]);
    const cleared = await outputs(model);
    assert.equal(cleared.text, ref.base.text);
    assert.ok(maxDiff(cleared.logits, ref.base.logits) < 1e-5);

    await model.setLora([{ path: adapterB }]);
    const b = await outputs(model);
    assert.equal(b.text, ref.b.text);
    assert.ok(maxDiff(b.logits, ref.b.logits) < 1e-5);
    assert.notEqual(model.lora[0]!.sha256, shaA, "the identity names the adapter's content");

    assert.equal(model.llamaModel, weights, "the node-llama-cpp model object is the same");
    assert.deepEqual(loads, { node: 1, native: 1 }, "one load of the weights on each side");
  });

  test("a swap waits for a running generation; calls started after it switched use the new adapter", async () => {
    await model.setLora([{ path: adapterA }]);
    const running = model.generate({ prompt, maxTokens: 12, temperature: 0 });
    const order: string[] = [];
    void running.then(() => order.push("running done"));
    const swap = model.setLora([{ path: adapterB }]).then(() => order.push("swapped"));
    // Until the new file is checked and loaded, calls still start on A (and say so in `lora`).
    const early = model.generate({ prompt, maxTokens: 12, temperature: 0 });
    const shaA = model.lora[0]!.sha256;
    while (model.lora[0]!.sha256 === shaA) await new Promise((resolve) => setImmediate(resolve));
    // Switched: `lora` names B, and a call starting now waits for A's calls, then runs on B.
    const next = model.generate({ prompt, maxTokens: 12, temperature: 0 });
    const [r, e, n] = await Promise.all([running, early, next, swap]);
    assert.equal(r.generations[0]!.text, ref.a.text, "the running call finishes on A");
    assert.equal(e.generations[0]!.text, ref.a.text, "a call started before the switch runs on A");
    assert.equal(n.generations[0]!.text, ref.b.text, "a call started after the switch runs on B");
    assert.deepEqual(order, ["running done", "swapped"]);
  });

  test("an open decoder stream keeps its adapter; streams opened after a swap get the new one", async () => {
    await model.setLora([{ path: adapterA }]);
    const decoder = model.decoder();
    const tokens = await decoder.tokenize(prompt);
    const old = await decoder.open(tokens.slice(0, -1));
    await model.setLora([{ path: adapterB }]);
    const oldLogits = Float32Array.from(await old.push(tokens.at(-1)!));
    await old.close();
    const fresh = await decoder.open(tokens);
    const freshLogits = Float32Array.from(fresh.logits());
    await fresh.close();
    assert.ok(maxDiff(oldLogits, ref.a.logits) < 1e-4, "the old stream still serves A");
    assert.ok(maxDiff(freshLogits, ref.b.logits) < 1e-5, "a new stream serves B");
  });

  test("an adapter rewritten at the same path is loaded again, not served stale", async () => {
    const path = join(dir, "retrained.gguf");
    await copyFile(adapterA, path);
    await model.setLora([{ path }]);
    const first = model.lora[0]!.sha256;
    assert.equal((await outputs(model)).text, ref.a.text);
    await copyFile(adapterB, path);
    await model.setLora([{ path }]);
    assert.notEqual(model.lora[0]!.sha256, first);
    assert.equal((await outputs(model)).text, ref.b.text);
  });

  test("bad adapter files give one ConfigError naming the file and change nothing", async () => {
    await model.setLora([{ path: adapterA }]);
    const served = model.lora;
    const foreign = join(dir, "foreign.gguf");
    await writeRandomLora(foreign, tinyRandom, { rank: 2, seed: 3 });
    const cases: [string, RegExp][] = [
      [join(dir, "missing.gguf"), /file not found; check the path/],
      [stories, /not a LoRA adapter \(general\.type is .*a full model GGUF is loaded as the model/],
      [foreign, /do not fit the model's .*made for a different base model/],
    ];
    for (const [path, message] of cases) {
      await assert.rejects(
        model.setLora([{ path }]),
        (error: unknown) =>
          error instanceof ConfigError &&
          error.field === "lora" &&
          error.message.includes(path) &&
          message.test(error.message),
        path,
      );
      assert.equal(model.lora, served, "a failed swap leaves the adapters as they were");
    }
    await assert.rejects(
      model.setLora([{ path: adapterA }, { path: adapterA, scale: 0.5 }]),
      /listed twice/,
    );
    assert.equal((await outputs(model)).text, ref.a.text);
  });
});
