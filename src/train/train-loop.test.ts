import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { AdamW } from "./adamw.ts";
import { learningRate } from "./lr-schedule.ts";
import { sftObjective } from "./objectives.ts";
import type { Param } from "./param.ts";
import { tinyLoraLlama, tinySftData, trainableWeights } from "./test-fixtures.ts";
import { trainLoop } from "./train-loop.ts";

const dir = await mkdtemp(join(tmpdir(), "chorus-train-loop-"));
after(() => rm(dir, { recursive: true, force: true }));

test("AdamW's first step moves each weight by lr·sign(g) (bias-corrected), minus decoupled decay", () => {
  const p: Param = {
    name: "w",
    shape: [2],
    data: new Float32Array([1, -2]),
    grad: new Float32Array([0.5, -3]),
  };
  new AdamW([p], { weightDecay: 0.1 }).update(0.01);
  // w·(1 − lr·wd) − lr·m̂/(√v̂ + eps), m̂/√v̂ = sign(g) on step 1
  assert.ok(Math.abs(p.data[0]! - (1 * (1 - 0.001) - 0.01)) < 1e-6);
  assert.ok(Math.abs(p.data[1]! - (-2 * (1 - 0.001) + 0.01)) < 1e-6);
});

test("learning-rate schedule: warmup, cosine midpoint, linear end", () => {
  const s = { lr: 1, totalSteps: 12, warmupSteps: 2 };
  assert.equal(learningRate(s, 0), 1 / 3);
  assert.equal(learningRate(s, 2), 1);
  assert.ok(Math.abs(learningRate(s, 7) - 0.5) < 1e-12);
  assert.ok(Math.abs(learningRate({ ...s, kind: "linear" }, 7) - 0.5) < 1e-12);
  assert.equal(learningRate({ ...s, kind: "constant" }, 11), 1);
});

test("training is deterministic for a seed and a checkpointed run resumes to the same weights", async () => {
  const opts = {
    epochs: 4,
    batchSize: 2,
    gradientAccumulation: 1,
    lr: 0.05,
    seed: 9,
    warmupSteps: 1,
  };
  const a = tinyLoraLlama();
  const ra = await trainLoop(a, tinySftData, sftObjective(), opts);
  assert.equal(ra.steps, 8);
  const b = tinyLoraLlama();
  await trainLoop(b, tinySftData, sftObjective(), opts);
  assert.deepEqual(trainableWeights(b), trainableWeights(a));

  const ckpt = join(dir, "ckpt");
  const c = tinyLoraLlama();
  const stop = new AbortController();
  await assert.rejects(
    trainLoop(c, tinySftData, sftObjective(), {
      ...opts,
      checkpointDir: ckpt,
      checkpointEvery: 1,
      signal: stop.signal,
      onStep: (info) => {
        if (info.step === 3) stop.abort();
      },
    }),
  );
  // A new process rebuilds the model from scratch and finds the checkpoint.
  const d = tinyLoraLlama();
  const rd = await trainLoop(d, tinySftData, sftObjective(), {
    ...opts,
    checkpointDir: ckpt,
    checkpointEvery: 1,
  });
  assert.equal(rd.resumedFromStep, 3);
  assert.equal(rd.steps, 8);
  const got = trainableWeights(d);
  const want = trainableWeights(a);
  for (let i = 0; i < want.length; i++)
    for (let j = 0; j < want[i]!.length; j++)
      assert.ok(Math.abs(got[i]![j]! - want[i]![j]!) < 1e-6);
  for (const [i, l] of rd.losses.entries()) assert.ok(Math.abs(l - ra.losses[i]!) < 1e-9);
});

test("an empty training set is an error before any step", async () => {
  await assert.rejects(trainLoop(tinyLoraLlama(), [], sftObjective()), /training set is empty/);
});
