import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { loadLlamaCppModel } from "../../engines/llamacpp/index.ts";
import { Run } from "../../runtime/run.ts";
import { LikelihoodRewardModel } from "../../scoring/likelihood-reward-model.ts";
import { Trainable } from "../../train/trainable.ts";
import { loadSnapshot } from "../../train/weights-snapshot-file.ts";
import type { LaserItem } from "./laser-items.ts";
import { type LaserTrainOptions, laserTrain } from "./laser-train.ts";
import { TrainablePolicy } from "./trainable-policy.ts";

const models = new URL("../../../../shared/models/", import.meta.url).pathname;
const stories = join(models, "stories260K.gguf");
const random = join(models, "llama-2-tiny-random.gguf");
const present = existsSync(stories) && existsSync(random);
const dir = await mkdtemp(join(tmpdir(), "chorus-laser-e2e-"));
after(() => rm(dir, { recursive: true, force: true }));

const items: LaserItem[] = [
  { id: "a0", prompt: "Once upon a time", family: "tale" },
  { id: "a1", prompt: "One day, a little girl", family: "tale" },
  { id: "b0", prompt: "Tom and his dog", family: "pet" },
  { id: "b1", prompt: "The cat was", family: "pet" },
];
const options: LaserTrainOptions = {
  iterations: 2,
  batchSize: 2,
  batching: "by-family",
  samples: 4,
  maxTokens: 10,
  pairsPerPrompt: 2,
  contextDim: 16,
  earlyStopLoss: 0,
  alpha: 1,
  seed: 3,
};

/** Policy and arms on real GGUF models: stories260K trained with LoRA; two likelihood RMs. */
async function setUp() {
  const trainable = await Trainable.load(stories, {
    lora: { rank: 4, alpha: 8, targets: ["attn_q", "attn_v"], dropout: 0.1, seed: 1 },
  });
  const served = await loadLlamaCppModel({ modelPath: stories, contextSize: 256, gpu: false });
  const judges = [
    await loadLlamaCppModel({ modelPath: stories, contextSize: 256, gpu: false }),
    await loadLlamaCppModel({ modelPath: random, contextSize: 256, gpu: false }),
  ];
  const policy = new TrainablePolicy(trainable, served, {
    maxPairsPerStep: 4,
    lr: 1e-2,
    appendEos: false,
    seed: 3,
    workDir: join(dir, `adapters-${Math.random().toString(36).slice(2)}`),
  });
  const arms = [
    new LikelihoodRewardModel(judges[0]!, { name: "rm-stories" }),
    new LikelihoodRewardModel(judges[1]!, { name: "rm-random" }),
  ];
  const close = async () => {
    for (const m of [served, ...judges]) await m.close();
    await trainable.close();
  };
  return { trainable, policy, arms, close };
}

test("LASeR end to end on real GGUF models: one RM per batch, DPO+NLL vs the previous iteration, resume", {
  skip: present ? false : "../shared/models is missing",
}, async () => {
  const a = await setUp();
  const initial = a.trainable.snapshot().hash;
  const whole = Run.create({ dir: join(dir, "whole"), config: {} });
  let report: Awaited<ReturnType<typeof laserTrain>>;
  try {
    report = await laserTrain(a.policy, a.arms, items, whole, options);
  } finally {
    await a.close();
  }
  assert.equal(report.batches, 4);
  assert.equal(report.iterations, 2);
  const records = whole.results<{ arms: string[]; loss: number | null; responses: number }>();
  for (const r of records) {
    assert.equal(r.result.arms.length, 1, "one reward model called per batch");
    assert.equal(r.result.responses, 8);
    assert.ok(r.result.loss !== null && Number.isFinite(r.result.loss));
  }
  const calls = Object.values(report.rmCalls);
  assert.equal(
    calls.reduce((s, c) => s + c.batches, 0),
    4,
  );
  assert.equal(report.totalRmCalls, 32);
  // Trained: the adapter moved; the reference is the policy at the start of iteration 2.
  const final = await loadSnapshot(join(whole.dir, "policy-4", "reference.json"));
  assert.notEqual(final.hash, initial, "iteration 2's reference is iteration 1's policy");
  whole.close();

  // Killed after two batches and resumed with freshly loaded models: the same records.
  const b = await setUp();
  const killed = Run.create({ dir: join(dir, "killed"), config: {} });
  const stop = new AbortController();
  try {
    await assert.rejects(
      laserTrain(b.policy, b.arms, items, killed, {
        ...options,
        signal: stop.signal,
        onBatch: (_r, g) => {
          if (g === 1) stop.abort();
        },
      }),
      /abort/i,
    );
  } finally {
    killed.close();
    await b.close();
  }
  const c = await setUp();
  const resumed = Run.resume(join(dir, "killed"));
  try {
    const again = await laserTrain(c.policy, c.arms, items, resumed, options);
    assert.deepEqual(again.rmCalls, report.rmCalls);
    assert.deepEqual(
      resumed.results().map((r) => r.result),
      records.map((r) => r.result),
    );
    assert.equal(c.trainable.snapshot().hash, a.trainable.snapshot().hash);
  } finally {
    resumed.close();
    await c.close();
  }
});
