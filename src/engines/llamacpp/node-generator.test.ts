import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { LlamaContextSequence, LlamaModel } from "node-llama-cpp";
import { getLlamaRuntime } from "./llama-runtime.ts";
import { NodeGenerator } from "./node-generator.ts";
import { NodeLoraAdapters } from "./node-lora.ts";

const stories = new URL("../../../../shared/models/stories260K.gguf", import.meta.url).pathname;

/** One context; records how many prompt tokens each `evaluate` was handed. */
function generatorOn(model: LlamaModel, reusePrefix: boolean) {
  const evaluated: number[] = [];
  const generator = new NodeGenerator(
    model,
    () => model.createContext({ contextSize: 128, sequences: 1, threads: 1 }),
    1,
    new NodeLoraAdapters(model),
    reusePrefix,
  );
  const spy = generator.withSequence(async (sequence: LlamaContextSequence) => {
    const evaluate = sequence.evaluate.bind(sequence);
    sequence.evaluate = ((tokens, options) => {
      evaluated.push(tokens.length);
      return evaluate(tokens, options);
    }) as typeof sequence.evaluate;
  });
  return { generator, evaluated, ready: spy };
}

describe("NodeGenerator prefix reuse", () => {
  let model: LlamaModel;
  before(async () => {
    const runtime = await getLlamaRuntime(false);
    model = await runtime.llama.loadModel({ modelPath: stories, gpuLayers: 0 });
  });
  after(async () => {
    await model?.dispose();
  });

  const options = { maxTokens: 4, temperature: 0.8, seed: 3, stops: [] };

  test("by default a repeated prompt evaluates only what its cached prefix lacks", async () => {
    const { generator, evaluated, ready } = generatorOn(model, true);
    await ready;
    const prompt = model.tokenize("Once upon a time there was a little girl");
    await generator.sample(prompt, options);
    await generator.sample(prompt, options);
    await generator.close();
    assert.equal(evaluated[0], prompt.length);
    assert.equal(evaluated[1], 1);
  });

  test("reusePrefix false evaluates every prompt whole, and the seeded sample repeats", async () => {
    const { generator, evaluated, ready } = generatorOn(model, false);
    await ready;
    const prompt = model.tokenize("Once upon a time there was a little girl");
    const first = await generator.sample(prompt, options);
    await generator.sample(model.tokenize("Once upon a time there was a dog"), options);
    const again = await generator.sample(prompt, options);
    await generator.close();
    assert.deepEqual(evaluated, [prompt.length, evaluated[1], prompt.length]);
    assert.deepEqual(again.tokens, first.tokens);
  });
});
