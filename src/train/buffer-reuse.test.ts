import assert from "node:assert/strict";
import { test } from "node:test";
import { SeededRandom } from "../math/seeded-random.ts";
import { zeroGrads } from "./adamw.ts";
import { addLora } from "./lora.ts";
import { enableGrad } from "./param.ts";
import { randomTransformer } from "./random-model.ts";
import type { Transformer, TransformerConfig } from "./transformer.ts";

const llama: TransformerConfig = {
  arch: "llama",
  vocabSize: 13,
  nEmbd: 8,
  nLayer: 2,
  nHead: 4,
  nHeadKv: 2,
  headDim: 2,
  nFf: 12,
  normEps: 1e-5,
  ropeBase: 10000,
  ropeDims: 2,
  ropeType: "normal",
  tiedOutput: false,
};

/** Batches of changing shapes, so buffers come back in other sizes and roles. */
const batches = [
  [
    [1, 5, 3, 9, 2, 7],
    [4, 7],
  ],
  [[2, 2, 8, 1, 6, 10, 3, 11, 12]],
  [
    [3, 4],
    [5, 6, 7],
    [8, 9, 10, 11],
  ],
];

function model(reuse: boolean): Transformer {
  const m = randomTransformer(llama, 4, "f32", 0.5);
  for (const p of m.params.values()) enableGrad(p);
  addLora(m, { rank: 2, alpha: 4, targets: ["attn_q", "ffn_up"], seed: 3, dropout: 0.25 });
  m.reuseBuffers = reuse;
  return m;
}

/**
 * Three training steps, each with an inference pass run between the training forward and its
 * backward (the inference pass borrows from the arena while the training pass holds buffers).
 */
async function trace(m: Transformer): Promise<number[][]> {
  const rng = new SeededRandom(11);
  const out: number[][] = [];
  for (const [i, seqs] of batches.entries()) {
    zeroGrads(m.trainableParams());
    const pass = await m.forwardBatch(seqs, { train: true, rng, logitsFrom: [i] });
    const other = await m.forwardBatch(batches[(i + 1) % batches.length]!);
    out.push(Array.from(pass.logits), Array.from(other.logits));
    const d = Float32Array.from(pass.logits, (z, j) => Math.sin(j + z));
    await pass.backward!(d);
    for (const p of m.trainableParams()) out.push(Array.from(p.grad!));
  }
  return out;
}

test("reused buffers give bit-identical logits and gradients to fresh ones", async () => {
  const fresh = await trace(model(false));
  const reused = await trace(model(true));
  assert.equal(reused.length, fresh.length);
  for (const [i, a] of fresh.entries()) assert.deepEqual(reused[i], a, `array ${i} differs`);
});

test("a backward cannot run twice once its buffers went back to the arena", async () => {
  const m = model(true);
  const pass = await m.forwardBatch(batches[0]!, { train: true });
  await pass.backward!(new Float32Array(pass.logits.length));
  await assert.rejects(pass.backward!(new Float32Array(pass.logits.length)), /run a new forward/);
});
