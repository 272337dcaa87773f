import assert from "node:assert/strict";
import { test } from "node:test";
import { zeroGrads } from "./adamw.ts";
import type { Arr } from "./array.ts";
import { addLora } from "./lora.ts";
import { enableGrad, type Param } from "./param.ts";
import { randomTransformer } from "./random-model.ts";
import { checkFiniteDifferences, projectedLoss, projection, tinyGqaQwen } from "./test-fixtures.ts";
import type { ResidualHook, Transformer, TransformerConfig } from "./transformer.ts";

/** Different lengths, so attention pads and the head gathers rows. */
const seqs = [
  [1, 5, 3, 9, 2],
  [4, 7],
  [2, 2, 8, 1, 6, 10, 3],
];
const from = [2, 0, 4];
const hooks: ResidualHook[] = [
  {
    layer: 0,
    edit: (h, { position }) => {
      h[1]! += 0.1 * position;
    },
  },
  {
    layer: 1,
    site: "o-proj-input",
    edit: (h, { position }) => {
      h[0]! -= 0.2 * position;
    },
  },
];

async function batchLoss(model: Transformer, r: Float64Array): Promise<number> {
  const { logits } = await model.forwardBatch(seqs, { logitsFrom: from, hooks });
  return projectedLoss(logits, r);
}

function model64(): { model: Transformer; params: Param[] } {
  const model = randomTransformer(tinyGqaQwen, 8, "f64", 0.5);
  const params = [...model.params.values()];
  for (const p of params) enableGrad(p);
  params.push(
    ...addLora(model, { rank: 2, targets: ["attn_q", "ffn_up"], initB: "random", seed: 3 }),
  );
  return { model, params };
}

test("batched logits equal each sequence's own forward (different lengths, hooks)", async () => {
  const { model } = model64();
  const batch = await model.forwardBatch(seqs, { logitsFrom: from, hooks });
  const V = tinyGqaQwen.vocabSize;
  for (const [b, s] of seqs.entries()) {
    const one = await model.forward(s, { logitsFrom: from[b]!, hooks });
    const o = batch.logitOffsets[b]! * V;
    assert.equal(one.logits.length, (s.length - from[b]!) * V);
    for (let i = 0; i < one.logits.length; i++)
      assert.ok(Math.abs(one.logits[i]! - batch.logits[o + i]!) < 1e-12, `sequence ${b} [${i}]`);
  }
});

test("batched gradients (qwen2 biases, tied head, GQA, LoRA, hooks, mixed lengths) match finite differences", async () => {
  const { model, params } = model64();
  const fwd = await model.forwardBatch(seqs, { logitsFrom: from, hooks, train: true });
  const r = projection(fwd.logits.length);
  await fwd.backward!(r);
  await checkFiniteDifferences(params, () => batchLoss(model, r), { samples: 1, tolerance: 1e-4 });
});

test("a batched backward equals the sum of single-sequence backwards", async () => {
  const { model, params } = model64();
  const V = tinyGqaQwen.vocabSize;
  const batch = await model.forwardBatch(seqs, { logitsFrom: from, train: true });
  const r = projection(batch.logits.length, 5);
  await batch.backward!(r);
  const batched = params.map((p) => Float64Array.from(p.grad!));
  zeroGrads(params);
  for (const [b, s] of seqs.entries()) {
    const one = await model.forward(s, { logitsFrom: from[b]!, train: true });
    const o = batch.logitOffsets[b]! * V;
    await one.backward!(r.subarray(o, o + one.logits.length));
  }
  params.forEach((p, j) => {
    for (let i = 0; i < p.data.length; i++)
      assert.ok(Math.abs(p.grad![i]! - batched[j]![i]!) < 1e-10, `${p.name}[${i}]`);
  });
});

test("onnxruntime's float32 batched products agree with the float64 pass", async () => {
  // Big enough that the attention and linear products leave the TypeScript kernel.
  const config: TransformerConfig = {
    ...tinyGqaQwen,
    arch: "llama",
    vocabSize: 64,
    nEmbd: 64,
    nHead: 4,
    nHeadKv: 2,
    headDim: 16,
    ropeDims: 16,
    nFf: 96,
    tiedOutput: false,
  };
  const long = [
    Array.from({ length: 70 }, (_, i) => (i * 7) % 64),
    Array.from({ length: 50 }, (_, i) => (i * 5 + 3) % 64),
  ];
  const run = async (precision: "f32" | "f64") => {
    const model = randomTransformer(config, 3, precision, 0.3);
    const w = model.params.get("blk.0.attn_k.weight")!;
    enableGrad(w);
    const fwd = await model.forwardBatch(long, { train: true, logitsFrom: [10, 0] });
    await fwd.backward!(projection(fwd.logits.length));
    return { logits: fwd.logits, grad: w.grad! };
  };
  const [a, b] = [await run("f64"), await run("f32")];
  const maxRel = (x: Arr, y: Arr) => {
    let err = 0;
    let scale = 0;
    for (let i = 0; i < x.length; i++) {
      err = Math.max(err, Math.abs(x[i]! - y[i]!));
      scale = Math.max(scale, Math.abs(x[i]!));
    }
    return err / scale;
  };
  assert.ok(maxRel(a.logits, b.logits) < 1e-4);
  assert.ok(maxRel(a.grad, b.grad) < 1e-3);
});

test("a batched pass over per-sequence KV caches of different lengths equals full forwards", async () => {
  const { model } = model64();
  const V = tinyGqaQwen.vocabSize;
  // Each sequence's cache is filled by a pass of its own (lengths 4, 1, 6), then all continue in
  // one pass with 2, 3 and 1 new tokens.
  const kv = seqs.map(() => model.newKvCache());
  const cut = [4, 1, 6];
  for (const [b, s] of seqs.entries())
    await model.forwardBatch([s.slice(0, cut[b])], { kv: [kv[b]!], hooks });
  const more = [[6, 4], [3, 3, 9], [7]];
  const batch = await model.forwardBatch(more, { kv, hooks });
  for (const [b, s] of seqs.entries()) {
    const whole = [...s.slice(0, cut[b]), ...more[b]!];
    assert.equal(kv[b]!.length, whole.length);
    const full = await model.forward(whole, { logitsFrom: cut[b]!, hooks });
    const o = batch.logitOffsets[b]! * V;
    assert.equal(full.logits.length, more[b]!.length * V);
    for (let i = 0; i < full.logits.length; i++)
      assert.ok(Math.abs(full.logits[i]! - batch.logits[o + i]!) < 1e-10, `sequence ${b} [${i}]`);
  }
  await assert.rejects(model.forwardBatch(more, { kv, train: true }), /cannot extend KV caches/);
  await assert.rejects(model.forwardBatch(more, { kv: kv.slice(1) }), /2 KV caches for 3/);
});

test("forwardBatch rejects an empty sequence and out-of-vocabulary ids, naming them", async () => {
  const { model } = model64();
  await assert.rejects(model.forwardBatch([[1, 2], []]), /sequence 1 is empty/);
  await assert.rejects(model.forwardBatch([[1, 99]]), /token id 99 is outside the vocabulary/);
});
