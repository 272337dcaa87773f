import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { sharedFile } from "../evals/shared-dir.ts";
import { generateGreedy, generateGreedyBatch } from "./generate.ts";
import { addLora } from "./lora.ts";
import { randomTransformer } from "./random-model.ts";
import { tinyGqaQwen } from "./test-fixtures.ts";
import { Trainable } from "./trainable.ts";
import type { Transformer } from "./transformer.ts";

async function oneByOne(
  model: Transformer,
  prompts: readonly number[][],
  options: { maxTokens: number; stopTokens?: number[] },
): Promise<number[][]> {
  const out: number[][] = [];
  for (const p of prompts) out.push(await generateGreedy(model, p, options));
  return out;
}

test("batched greedy decoding equals one prompt at a time (GQA, LoRA, stops, refills)", async () => {
  const model = randomTransformer(tinyGqaQwen, 4, "f64", 0.8);
  addLora(model, { rank: 2, targets: ["attn_q", "attn_v", "ffn_down"], initB: "random", seed: 2 });
  const prompts = [[1], [3, 5, 7, 9, 2], [4, 6], [2, 2, 8, 1, 6, 10, 3], [10, 9], [5, 1, 4]];
  // A stop token that cuts some answers short: the first answer's fourth token.
  const free = await oneByOne(model, prompts, { maxTokens: 7 });
  const options = { maxTokens: 7, stopTokens: [free[0]![3]!] };
  const want = await oneByOne(model, prompts, options);
  assert.ok(want.some((o) => o.length < 7) && want.some((o) => o.length === 7), `${want}`);
  // Width 2 and 3: prompts wait, and join the batch as earlier ones stop.
  for (const batchSize of [1, 2, 3, 32])
    assert.deepEqual(await generateGreedyBatch(model, prompts, { ...options, batchSize }), want);
  assert.deepEqual(
    await generateGreedyBatch(model, prompts, { maxTokens: 0 }),
    prompts.map(() => []),
  );
});

const stories = sharedFile("models", "stories260K.gguf");

describe("batched greedy decoding on stories260K", {
  skip: stories ? false : "no shared models",
}, () => {
  test("a LoRA-trained student answers exactly as with one prompt at a time", async () => {
    const t = await Trainable.load(stories!, {
      lora: {
        rank: 4,
        alpha: 8,
        targets: ["attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"],
        seed: 1,
      },
    });
    try {
      await t.sft([{ prompt: "Once upon a time", completion: " the purple robot sang." }], {
        epochs: 4,
        batchSize: 1,
        lr: 1e-2,
        seed: 1,
        appendEos: false,
      });
      const tok = t.tokenizer;
      const head = tok.addBos && tok.bos !== undefined ? [tok.bos] : [];
      const texts = [
        "Once upon a time",
        "Lily went to the park and",
        "Tom had a big red ball. He",
        "The sun",
        "One day, a little dog named Max found a box in the garden. Inside",
        "Mom said",
      ];
      const prompts = texts.map((x) => [...head, ...tok.tokenize(x)]);
      // Stop at the first answer's fifth token: some answers end early, others at maxTokens.
      const free = await oneByOne(t.model, prompts, { maxTokens: 24 });
      const options = { maxTokens: 24, stopTokens: [...tok.endTokens, free[0]![4]!] };
      const want = await oneByOne(t.model, prompts, options);
      assert.ok(want.some((o) => o.length < 24) && want.some((o) => o.length === 24), `${want}`);
      assert.deepEqual(
        await generateGreedyBatch(t.model, prompts, { ...options, batchSize: 4 }),
        want,
      );
      assert.deepEqual(await generateGreedyBatch(t.model, prompts, options), want);
    } finally {
      await t.close();
    }
  });
});
