import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError } from "../model/errors.ts";
import { sftObjective } from "./objectives.ts";
import { tinyLoraLlama, tinySftData, trainableWeights } from "./test-fixtures.ts";
import { trainLoop } from "./train-loop.ts";
import { TrainingSession } from "./training-session.ts";

const other = [
  { tokens: [1, 9, 8, 7], start: 1 },
  { tokens: [1, 5, 5, 5, 6], start: 2 },
];
const opts = { batchSize: 2, lr: 0.05, seed: 9, warmupSteps: 1, totalSteps: 8 };

test("train calls keep AdamW moments, schedule and data position: 3 + 5 steps = one 8-step run", async () => {
  const once = tinyLoraLlama();
  const r = await trainLoop(once, tinySftData, sftObjective(), { ...opts, epochs: 4 });
  const split = tinyLoraLlama();
  const s = new TrainingSession(split, opts);
  const lrs: number[] = [];
  const a = await s.train(tinySftData, sftObjective(), {
    steps: 3,
    onStep: (i) => void lrs.push(i.lr),
  });
  assert.equal(a.steps, 3);
  assert.equal(s.step, 3);
  // Between calls the model can be evaluated; the next call picks up at step 3 of the schedule.
  await split.forward([1, 2, 3]);
  const b = await s.train(tinySftData, sftObjective(), {
    steps: 5,
    onStep: (i) => void lrs.push(i.lr),
  });
  assert.equal(b.step, 8);
  assert.deepEqual(trainableWeights(split), trainableWeights(once));
  assert.deepEqual([...a.losses, ...b.losses], r.losses);
  assert.ok(lrs[0]! < lrs[1]! && lrs[7]! < lrs[3]!, `warmup once, then decay: ${lrs}`);

  // Restarting the optimizer for the second part (two trainLoop calls) gives other weights.
  const restarted = tinyLoraLlama();
  await trainLoop(restarted, tinySftData, sftObjective(), { ...opts, maxSteps: 3, epochs: 4 });
  await trainLoop(restarted, tinySftData, sftObjective(), { ...opts, maxSteps: 5, epochs: 4 });
  assert.notDeepEqual(trainableWeights(restarted), trainableWeights(once));
});

test("epochs and callbacks: onEpoch after each pass, async onStep awaited in order", async () => {
  const s = new TrainingSession(tinyLoraLlama(), { ...opts, totalSteps: 10 });
  const log: string[] = [];
  await s.train(tinySftData, sftObjective(), {
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
  const model = tinyLoraLlama();
  assert.throws(
    () => new TrainingSession(model, { schedule: "cosine" }),
    (e: unknown) => e instanceof ConfigError && /needs totalSteps/.test(e.message),
  );
  const s = new TrainingSession(model, { ...opts, totalSteps: 4 });
  const before = trainableWeights(model);
  await assert.rejects(
    s.train(tinySftData, sftObjective(), { steps: 5 }),
    (e: unknown) => e instanceof ConfigError && /past the session's totalSteps 4/.test(e.message),
  );
  await assert.rejects(s.train(tinySftData, sftObjective(), { steps: 1, epochs: 1 }), /not both/);
  assert.deepEqual(trainableWeights(model), before);
  // Past its schedule (a later stage's checkpoint), a zero-step call is a no-op, not an error.
  const past = new TrainingSession(model, { ...opts, totalSteps: 2 });
  await past.train(tinySftData, sftObjective(), { steps: 2 });
  const small = new TrainingSession(model, { ...opts, totalSteps: 1 });
  small.restore(past.snapshot({ optimizer: true }));
  await small.train(tinySftData, sftObjective(), { steps: 0 });
  assert.equal(small.step, 2);
  // Without totalSteps the learning rate is constant.
  const c = new TrainingSession(model, { lr: 0.01 });
  const lrs: number[] = [];
  await c.train(tinySftData, sftObjective(), { steps: 3, onStep: (i) => void lrs.push(i.lr) });
  assert.deepEqual(lrs, [0.01, 0.01, 0.01]);
});

test("a snapshot with optimizer state restores the whole session: the same steps again give the same weights", async () => {
  const model = tinyLoraLlama();
  const s = new TrainingSession(model, opts);
  await s.train(tinySftData, sftObjective(), { steps: 2 });
  const snap = s.snapshot({ optimizer: true });
  const weightsOnly = s.snapshot();
  assert.equal(weightsOnly.hash, snap.hash);
  assert.equal(weightsOnly.optimizer, undefined);
  const first = await s.train(tinySftData, sftObjective(), { steps: 3 });
  const after = trainableWeights(model);
  s.restore(snap);
  assert.equal(s.step, 2);
  const again = await s.train(tinySftData, sftObjective(), { steps: 3 });
  assert.deepEqual(again.losses, first.losses);
  assert.deepEqual(trainableWeights(model), after);
  // Weights only: the moments and the schedule position stay where they are.
  s.restore(weightsOnly);
  assert.equal(s.step, 5);
  assert.equal(s.snapshot().hash, snap.hash);
});

test("newData after loadCheckpoint starts the new examples at their beginning, as the saved session would", async () => {
  const { mkdtemp, rm } = await import("node:fs/promises");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const dir = await mkdtemp(join(tmpdir(), "chorus-session-newdata-"));
  try {
    const big = { ...opts, batchSize: 1, shuffle: false };
    const more = [...other, { tokens: [1, 3, 3, 9], start: 1 }, { tokens: [1, 12, 2], start: 1 }];
    const first = new TrainingSession(tinyLoraLlama(), big);
    await first.train(tinySftData, sftObjective(), { steps: 1 });
    await first.saveCheckpoint(dir);
    const ahead = await first.train(more, sftObjective(), { steps: 1 });

    const resumed = tinyLoraLlama();
    const s = new TrainingSession(resumed, big);
    await s.loadCheckpoint(dir);
    const r = await s.train(more, sftObjective(), { steps: 1, newData: true });
    assert.deepEqual(r.losses, ahead.losses);
    assert.deepEqual(trainableWeights(resumed), trainableWeights(first.model));

    // Without newData the checkpoint's data position (1 of the old examples) is continued.
    const cont = new TrainingSession(tinyLoraLlama(), big);
    await cont.loadCheckpoint(dir);
    const c = await cont.train(more, sftObjective(), { steps: 1 });
    assert.notDeepEqual(c.losses, ahead.losses);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
