import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError } from "../model/errors.ts";
import { addLora } from "./lora.ts";
import { sftObjective } from "./objectives.ts";
import { randomTransformer } from "./random-model.ts";
import { trainLoop } from "./train-loop.ts";
import { TrainingSession } from "./training-session.ts";
import type { TransformerConfig } from "./transformer.ts";

const config: TransformerConfig = {
  arch: "llama",
  vocabSize: 16,
  nEmbd: 8,
  nLayer: 2,
  nHead: 2,
  nHeadKv: 2,
  headDim: 4,
  nFf: 12,
  normEps: 1e-5,
  ropeBase: 10000,
  ropeDims: 4,
  ropeType: "normal",
  tiedOutput: false,
};
const data = [
  { tokens: [1, 3, 5, 7, 9], start: 2 },
  { tokens: [1, 4, 6, 8], start: 1 },
  { tokens: [1, 2, 11, 12, 13, 14], start: 3 },
];
const other = [
  { tokens: [1, 9, 8, 7], start: 1 },
  { tokens: [1, 5, 5, 5, 6], start: 2 },
];

function fresh() {
  const model = randomTransformer(config, 8);
  addLora(model, { rank: 2, targets: ["attn_q", "ffn_up"], dropout: 0.1, seed: 4 });
  return model;
}
const weights = (m: ReturnType<typeof fresh>) => m.trainableParams().map((p) => Array.from(p.data));
const opts = { batchSize: 2, lr: 0.05, seed: 9, warmupSteps: 1, totalSteps: 8 };

test("train calls keep AdamW moments, schedule and data position: 3 + 5 steps = one 8-step run", async () => {
  const once = fresh();
  const r = await trainLoop(once, data, sftObjective(), { ...opts, epochs: 4 });
  const split = fresh();
  const s = new TrainingSession(split, opts);
  const lrs: number[] = [];
  const a = await s.train(data, sftObjective(), { steps: 3, onStep: (i) => void lrs.push(i.lr) });
  assert.equal(a.steps, 3);
  assert.equal(s.step, 3);
  // Between calls the model can be evaluated; the next call picks up at step 3 of the schedule.
  await split.forward([1, 2, 3]);
  const b = await s.train(data, sftObjective(), { steps: 5, onStep: (i) => void lrs.push(i.lr) });
  assert.equal(b.step, 8);
  assert.deepEqual(weights(split), weights(once));
  assert.deepEqual([...a.losses, ...b.losses], r.losses);
  assert.ok(lrs[0]! < lrs[1]! && lrs[7]! < lrs[3]!, `warmup once, then decay: ${lrs}`);

  // Restarting the optimizer for the second part (two trainLoop calls) gives other weights.
  const restarted = fresh();
  await trainLoop(restarted, data, sftObjective(), { ...opts, maxSteps: 3, epochs: 4 });
  await trainLoop(restarted, data, sftObjective(), { ...opts, maxSteps: 5, epochs: 4 });
  assert.notDeepEqual(weights(restarted), weights(once));
});

test("epochs and callbacks: onEpoch after each pass, async onStep awaited in order", async () => {
  const s = new TrainingSession(fresh(), { ...opts, totalSteps: 10 });
  const log: string[] = [];
  await s.train(data, sftObjective(), {
    epochs: 2,
    onStep: async (i) => {
      await new Promise((r) => setTimeout(r, 5 - i.step));
      log.push(`step ${i.step}`);
    },
    onEpoch: (e) => void log.push(`epoch ${e.epoch} at ${e.step}`),
  });
  assert.deepEqual(log, ["step 1", "step 2", "epoch 0 at 2", "step 3", "step 4", "epoch 1 at 4"]);
  // Another data set starts a new epoch at its beginning.
  const epochs: number[] = [];
  await s.train(other, sftObjective(), { steps: 2, onEpoch: (e) => void epochs.push(e.epoch) });
  assert.deepEqual(epochs, [2, 3]);
});

test("schedule mistakes are ConfigErrors before any step", async () => {
  const model = fresh();
  assert.throws(
    () => new TrainingSession(model, { schedule: "cosine" }),
    (e: unknown) => e instanceof ConfigError && /needs totalSteps/.test(e.message),
  );
  const s = new TrainingSession(model, { ...opts, totalSteps: 4 });
  const before = weights(model);
  await assert.rejects(
    s.train(data, sftObjective(), { steps: 5 }),
    (e: unknown) => e instanceof ConfigError && /past the session's totalSteps 4/.test(e.message),
  );
  await assert.rejects(s.train(data, sftObjective(), { steps: 1, epochs: 1 }), /not both/);
  assert.deepEqual(weights(model), before);
  // Without totalSteps the learning rate is constant.
  const c = new TrainingSession(model, { lr: 0.01 });
  const lrs: number[] = [];
  await c.train(data, sftObjective(), { steps: 3, onStep: (i) => void lrs.push(i.lr) });
  assert.deepEqual(lrs, [0.01, 0.01, 0.01]);
});

test("a snapshot with optimizer state restores the whole session: the same steps again give the same weights", async () => {
  const model = fresh();
  const s = new TrainingSession(model, opts);
  await s.train(data, sftObjective(), { steps: 2 });
  const snap = s.snapshot({ optimizer: true });
  const weightsOnly = s.snapshot();
  assert.equal(weightsOnly.hash, snap.hash);
  assert.equal(weightsOnly.optimizer, undefined);
  const first = await s.train(data, sftObjective(), { steps: 3 });
  const after = weights(model);
  s.restore(snap);
  assert.equal(s.step, 2);
  const again = await s.train(data, sftObjective(), { steps: 3 });
  assert.deepEqual(again.losses, first.losses);
  assert.deepEqual(weights(model), after);
  // Weights only: the moments and the schedule position stay where they are.
  s.restore(weightsOnly);
  assert.equal(s.step, 5);
  assert.equal(s.snapshot().hash, snap.hash);
});
