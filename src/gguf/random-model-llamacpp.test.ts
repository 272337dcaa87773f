import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { getLlama, type Llama, LlamaLogLevel, type LlamaModel } from "node-llama-cpp";
import { openGguf } from "./gguf-file.ts";
import { writeRandomLora } from "./lora-adapter.ts";
import { type RandomModelOptions, writeRandomModel } from "./random-model.ts";

/** Our writer's files must load and run in llama.cpp (node-llama-cpp 3.21.1, CPU). */

let dir: string;
let llama: Llama;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "chorus-random-model-"));
  llama = await getLlama({ gpu: false, logLevel: LlamaLogLevel.warn });
});
after(async () => {
  await llama?.dispose();
  await rm(dir, { recursive: true, force: true });
});

async function distribution(
  model: LlamaModel,
  prompt: string,
  lora?: string,
): Promise<Map<number, number>> {
  const context = await model.createContext({
    threads: 1,
    contextSize: 64,
    ...(lora ? { lora: { adapters: [{ filePath: lora }] } } : {}),
  });
  try {
    const tokens = model.tokenize(prompt);
    const last = tokens.pop()!;
    const outputs = await context
      .getSequence()
      .controlledEvaluate([...tokens, [last, { generateNext: { probabilities: true } }]]);
    const probabilities = outputs.at(-1)?.next.probabilities;
    assert.ok(probabilities);
    return new Map(probabilities);
  } finally {
    await context.dispose();
  }
}

function totalVariation(a: Map<number, number>, b: Map<number, number>): number {
  let sum = 0;
  for (const [token, p] of a) sum += Math.abs(p - (b.get(token) ?? 0));
  return sum / 2;
}

async function write(name: string, options: RandomModelOptions): Promise<string> {
  const path = join(dir, `${name}.gguf`);
  await writeRandomModel(path, options);
  return path;
}

test("random llama and qwen2 models load, tokenize any text and run; Q8_0 ≈ F32", async () => {
  // larger std than the default so the distributions are far from uniform and differences show
  const common = { preset: "tiny", seed: 3, std: 0.2 } as const;
  const f32 = await write("llama-f32", { ...common, type: "F32" });
  const q8 = await write("llama-q8", { ...common, type: "Q8_0" });
  const qwen = await write("qwen2-f16", {
    ...common,
    architecture: "qwen2",
    type: "F16",
    tiedEmbeddings: true,
  });
  const header = await openGguf(qwen);
  assert.ok(header.hasTensor("blk.0.attn_q.bias"));
  assert.ok(!header.hasTensor("output.weight"));
  await header.close();

  const text = "Héllo, wörld! 世界 <tag> 123\n\ttabs";
  const dists: Map<number, number>[] = [];
  for (const path of [f32, q8, qwen]) {
    const model = await llama.loadModel({ modelPath: path });
    try {
      const tokens = model.tokenize(text);
      assert.equal(model.detokenize(tokens), text);
      const chat = model.tokenize("<|im_start|>user\nhi<|im_end|>", true);
      assert.deepEqual([chat[0], chat.at(-1)], [3, 4], "ChatML markers are single special tokens");
      const dist = await distribution(model, "Once upon a time");
      assert.equal(dist.size, 512);
      dists.push(dist);
    } finally {
      await model.dispose();
    }
  }
  const [fromF32, fromQ8, fromQwen] = dists as [
    Map<number, number>,
    Map<number, number>,
    Map<number, number>,
  ];
  assert.ok(
    totalVariation(fromF32, fromQ8) < 0.1,
    `Q8_0 vs F32: ${totalVariation(fromF32, fromQ8)}`,
  );
  assert.ok(
    totalVariation(fromF32, fromQwen) > 0.05,
    "a different architecture computes differently",
  );
});

test("a LoRA adapter written by us loads in llama.cpp and changes the output", async () => {
  const base = await write("lora-base", { preset: "tiny", seed: 4, std: 0.2 });
  const adapter = join(dir, "adapter.gguf");
  const weights = await writeRandomLora(adapter, base, { rank: 4, std: 0.5, seed: 1 });
  assert.equal(weights.length, 4, "attn_q and attn_v in both blocks");
  const file = await openGguf(adapter);
  assert.equal(file.string("general.type"), "adapter");
  assert.deepEqual(file.tensor("blk.0.attn_v.weight.lora_a").shape, [64, 4]);
  assert.deepEqual(file.tensor("blk.0.attn_v.weight.lora_b").shape, [4, 32]);
  await file.close();

  const model = await llama.loadModel({ modelPath: base });
  try {
    const plain = await distribution(model, "Once upon a time");
    const adapted = await distribution(model, "Once upon a time", adapter);
    assert.ok(totalVariation(plain, adapted) > 0.05, `change ${totalVariation(plain, adapted)}`);
  } finally {
    await model.dispose();
  }
});
