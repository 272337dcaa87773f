import assert from "node:assert/strict";
import { test } from "node:test";
import { SeededRandom } from "../math/seeded-random.ts";
import { addLora } from "./lora.ts";
import { enableGrad, type Param } from "./param.ts";
import { randomTransformer } from "./random-model.ts";
import {
  checkFiniteDifferences,
  projectedLoss,
  projection,
  tinyGqaLlama,
  tinyGqaQwen,
} from "./test-fixtures.ts";
import type { Transformer } from "./transformer.ts";

const tokens = [1, 5, 3, 9, 2];

async function lossOf(model: Transformer, r: Float64Array, dropoutSeed?: number): Promise<number> {
  const opts = dropoutSeed === undefined ? {} : { rng: new SeededRandom(dropoutSeed), train: true };
  const { logits } = await model.forward(tokens, opts);
  return projectedLoss(logits, r);
}

/** Central differences on a few sampled entries of every trainable parameter. */
async function checkGradients(
  model: Transformer,
  params: Param[],
  dropoutSeed?: number,
): Promise<void> {
  const r = projection(tokens.length * model.config.vocabSize);
  const fwd = await model.forward(tokens, {
    train: true,
    ...(dropoutSeed === undefined ? {} : { rng: new SeededRandom(dropoutSeed) }),
  });
  await fwd.backward!(r);
  await checkFiniteDifferences(params, () => lossOf(model, r, dropoutSeed), {
    samples: 3,
    tolerance: 1e-3,
  });
}

for (const variant of [
  { name: "llama, separate output, GQA, adjacent-pair RoPE", config: tinyGqaLlama },
  {
    name: "qwen2, tied output, QKV biases, half-split RoPE, partial rotary dims",
    config: {
      ...tinyGqaQwen,
      ropeDims: 2,
    },
  },
]) {
  test(`full fine-tuning gradients match finite differences: ${variant.name}`, async () => {
    const model = randomTransformer(variant.config, 3, "f64", 0.5);
    const params = [...model.params.values()];
    for (const p of params) enableGrad(p);
    await checkGradients(model, params);
  });
}

test("LoRA gradients (with dropout) match finite differences", async () => {
  const model = randomTransformer(
    { ...tinyGqaLlama, arch: "qwen2", ropeType: "neox" },
    4,
    "f64",
    0.5,
  );
  const params = addLora(model, {
    rank: 2,
    alpha: 3,
    dropout: 0.3,
    targets: ["attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"],
    initB: "random",
    seed: 5,
  });
  await checkGradients(model, params, 1234);
});

test("KV-cache decoding gives the same logits as a full forward", async () => {
  const model = randomTransformer(tinyGqaLlama, 6, "f64");
  const full = await model.forward(tokens);
  const kv = model.newKvCache();
  await model.forward(tokens.slice(0, 2), { kv });
  for (let t = 2; t < tokens.length; t++) {
    const step = await model.forward([tokens[t]!], { kv, lastOnly: true });
    const V = tinyGqaLlama.vocabSize;
    for (let v = 0; v < V; v++)
      assert.ok(Math.abs(step.logits[v]! - full.logits[t * V + v]!) < 1e-9);
  }
});

test("a residual hook edits the stream after its layer", async () => {
  const model = randomTransformer(tinyGqaLlama, 6, "f64");
  const plain = await model.forward(tokens);
  const seen: number[] = [];
  const edited = await model.forward(tokens, {
    hooks: [
      {
        layer: 1,
        edit: (h, { position }) => {
          seen.push(position);
          h[0]! += 1;
        },
      },
    ],
  });
  assert.deepEqual(seen, [0, 1, 2, 3, 4]);
  assert.notEqual(edited.logits[0], plain.logits[0]);
});

test("the KV cache grows geometrically instead of being copied every token", async () => {
  const model = randomTransformer(tinyGqaLlama, 6, "f64");
  const kv = model.newKvCache();
  await model.forward([1], { kv, lastOnly: true });
  let copies = 0;
  let last = kv.k[0];
  for (let t = 0; t < 40; t++) {
    await model.forward([1 + (t % 9)], { kv, lastOnly: true });
    if (kv.k[0] !== last) copies++;
    last = kv.k[0];
  }
  assert.equal(kv.length, 41);
  assert.ok(copies <= 6, `the cache was reallocated ${copies} times in 40 steps`);
});
