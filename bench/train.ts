/**
 * `npm run bench -- train [--steps N] [--skip-135m] [--pretrain-steps N] [--batch N] [--json]`:
 * 1. GEMM GFLOP/s of the trainer's kernel vs onnxruntime-node alone vs the TypeScript fallback
 *    (interleaved rounds, medians), at a 135M-shape product, a batched 1M-shape product and an
 *    attention-like batch (one batchedGemm call vs a call per head);
 * 2. the per-call crossover that sets `minOrtWork`, and the effect of heap retention;
 * 3. training speed through trainLoop (median step): stories260K LoRA, a ~1M-parameter llama
 *    trained in full from random init (tokens/s and effective GFLOP/s, AdamW's share of a step),
 *    and SmolLM2-135M's shape with LoRA r16 at seq 256 as a share of the measured GEMM peak.
 * With --graphs-ab, the 135M step with the fused onnxruntime graphs vs without them, alternating
 * steps within one run (--ab-rounds N pairs, default 3).
 * Ends with a one-line summary; with --json a JSON object follows it as the last line.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeRandomModel } from "../src/gguf/index.ts";
import { SeededRandom } from "../src/math/seeded-random.ts";
import { AdamW } from "../src/train/adamw.ts";
import { configureGemm } from "../src/train/gemm.ts";
import { loadTransformer } from "../src/train/load-gguf.ts";
import { addLora } from "../src/train/lora.ts";
import { sftObjective } from "../src/train/objectives.ts";
import type { Transformer } from "../src/train/transformer.ts";
import { median } from "./support/bench-model.ts";
import { batchedRates, crossover, gemmRates } from "./support/gemm-rates.ts";
import { heapRetentionAb } from "./support/heap-retention-ab.ts";
import { interleavedMedians } from "./support/interleaved.ts";
import {
  hasFlag,
  integerFlag,
  randomDocuments,
  trainableLlama1m,
  useTrainThreads,
} from "./support/train-bench.ts";
import {
  alternatingSteps,
  fullTrainingFlopsPerToken,
  measureTraining,
} from "./support/train-speed.ts";

const steps135 = integerFlag("steps", 3);
const pretrainSteps = integerFlag("pretrain-steps", 4);
const pretrainBatch = integerFlag("batch", 16);
const skip135 = hasFlag("skip-135m");
const graphsAb = hasFlag("graphs-ab");
const abRounds = integerFlag("ab-rounds", 3);
const json = hasFlag("json");
const threads = useTrainThreads();
const log = (s: string) => process.stderr.write(`${s}\n`);
const f1 = (x: number) => x.toFixed(1);

// 1. Kernels.
const shape135 = [256, 1536, 576] as const;
const g135 = await gemmRates(shape135, threads);
log(
  `gemm 256x576·576x1536 (135M linear): ours ${f1(g135.ours)} GFLOP/s, onnxruntime alone ${f1(g135.ort)} (ours/alone ${(g135.ours / g135.ort).toFixed(2)}), TypeScript ${g135.ts!.toFixed(2)}`,
);
const g1m = await gemmRates([4096, 384, 128], threads, { withTs: false });
log(
  `gemm 4096x128·128x384 (1M FFN, 16×256 rows): ours ${f1(g1m.ours)} GFLOP/s, onnxruntime alone ${f1(g1m.ort)} (ours/alone ${(g1m.ours / g1m.ort).toFixed(2)})`,
);
const att = await batchedRates(64, [256, 256, 32], threads);
log(
  `attention QKᵀ, 64 × 256x32·32x256: batchedGemm ${f1(att.batched)} GFLOP/s, a gemm call per head ${f1(att.perProduct)}, onnxruntime alone ${f1(att.ort)}`,
);

// 2. Call overhead and memory.
const cross = await crossover([16, 24, 32, 40, 48, 64, 96]);
for (const r of cross.rows)
  log(
    `  ${r.side}³ (M·N·K=${r.side ** 3}): onnxruntime ${r.ortUs.toFixed(0)} µs/call, TypeScript ${r.tsUs.toFixed(0)} µs/call`,
  );
log(`  onnxruntime wins from ${cross.side ?? "none of these"}³ (minOrtWork 65536 ≈ 40³)`);
const heap = heapRetentionAb();
log(
  `heap retention: 4096x128·128x384 ${f1(heap.retainedMs)} ms retained vs ${f1(heap.defaultMs)} ms glibc default (${(heap.defaultMs / heap.retainedMs).toFixed(2)}×)`,
);

// 3. Training.
const rng = new SeededRandom(5);

async function loraSpeed(
  model: Transformer,
  seq: number,
  rank: number,
  batch: number,
  n: number,
  probe?: () => Promise<void>,
) {
  addLora(model, {
    rank,
    alpha: 2 * rank,
    targets: ["attn_q", "attn_k", "attn_v", "attn_output"],
    seed: 1,
  });
  const examples = randomDocuments(rng, (n + 1) * batch, seq, model.config.vocabSize);
  return measureTraining(model, examples, sftObjective(), {
    batchSize: batch,
    steps: n,
    ...(probe ? { probe } : {}),
  });
}

const stories = new URL("../../shared/models/stories260K.gguf", import.meta.url).pathname;
const s260 = await loraSpeed((await loadTransformer(stories)).model, 128, 8, 8, 3);
log(
  `stories260K LoRA r8 seq 128 batch 8: ${s260.tokensPerSecond.toFixed(0)} tokens/s (${s260.productGflops.toFixed(2)} GFLOP/s in products, ${(100 * s260.ortShare).toFixed(0)}% of the time in onnxruntime)`,
);

const dir = await mkdtemp(join(tmpdir(), "chorus-bench-train-"));
try {
  const seq = 256;
  const m1 = await trainableLlama1m(dir);
  const examples = randomDocuments(rng, (pretrainSteps + 1) * pretrainBatch, seq, 2048);
  const pre = await measureTraining(m1, examples, sftObjective(), {
    batchSize: pretrainBatch,
    steps: pretrainSteps,
    lr: 1e-3,
  });
  const flopsPerToken = fullTrainingFlopsPerToken(m1, seq);
  const preGflops = (flopsPerToken * pre.tokensPerSecond) / 1e9;
  const opt = new AdamW(m1.trainableParams(), { weightDecay: 0.1 });
  const { adamw } = await interleavedMedians({ adamw: () => opt.update(1e-4) }, { rounds: 5 });
  const nParams = m1.trainableParams().reduce((s, p) => s + p.data.length, 0);
  log(
    `llama 1M (L4 d128 ffn384 V2048, ${(nParams / 1e6).toFixed(2)}M params, all trained) seq ${seq} batch ${pretrainBatch}: ${pre.tokensPerSecond.toFixed(0)} tokens/s = ${f1(preGflops)} GFLOP/s effective (${(flopsPerToken / 1e6).toFixed(2)} MFLOP/token), ${f1(pre.productGflops)} GFLOP/s in products, ${(100 * pre.ortShare).toFixed(0)}% of the time in onnxruntime`,
  );
  log(
    `  AdamW over all ${nParams} weights: ${adamw.toFixed(1)} ms = ${((100 * adamw) / 1000 / pre.stepSeconds).toFixed(1)}% of a ${pre.stepSeconds.toFixed(2)} s step`,
  );
  let ab1m: Awaited<ReturnType<typeof alternatingSteps>> | undefined;
  if (graphsAb) {
    const docs = randomDocuments(rng, 2 * (abRounds + 1) * pretrainBatch, seq, 2048);
    ab1m = await alternatingSteps(m1, docs, sftObjective(), {
      batchSize: pretrainBatch,
      rounds: abRounds,
      set: (off) => configureGemm({ graphs: !off }),
    });
    log(
      `  with the fused graphs ${ab1m.a.toFixed(2)} s/step, without ${ab1m.b.toFixed(2)} s/step (${(ab1m.b / ab1m.a).toFixed(2)}×; ${abRounds} alternating rounds)`,
    );
  }

  let s135: Awaited<ReturnType<typeof measureTraining>> | undefined;
  let ab135: Awaited<ReturnType<typeof alternatingSteps>> | undefined;
  let peak135 = g135.ort;
  if (!skip135) {
    const path = join(dir, "smollm2-135m-shape.gguf");
    await writeRandomModel(path, { preset: "smollm2-135m", type: "Q8_0", seed: 1, chatml: false });
    // The peak this run is held to: onnxruntime alone at the model's own product, sampled
    // between the training steps so that both see the same load from other processes.
    const peakSamples: number[] = [];
    const probe = async () => {
      peakSamples.push((await gemmRates(shape135, threads, { withTs: false, rounds: 1 })).ort);
    };
    const model135 = (await loadTransformer(path)).model;
    s135 = await loraSpeed(model135, 256, 16, 2, steps135, probe);
    peak135 = median(peakSamples);
    log(
      `SmolLM2-135M shape LoRA r16 seq 256 batch 2: ${f1(s135.tokensPerSecond)} tokens/s, ${f1(s135.productGflops)} GFLOP/s in products = ${((100 * s135.productGflops) / peak135).toFixed(0)}% of onnxruntime alone between the steps (${f1(peak135)} GFLOP/s; ${s135.steps} steps, ${(100 * s135.ortShare).toFixed(0)}% of the time in onnxruntime)`,
    );
    if (graphsAb) {
      const examples = randomDocuments(rng, 2 * (abRounds + 1) * 2, 256, model135.config.vocabSize);
      ab135 = await alternatingSteps(model135, examples, sftObjective(), {
        batchSize: 2,
        rounds: abRounds,
        set: (off) => configureGemm({ graphs: !off }),
      });
      const flopsPerStep = s135.productGflops * s135.stepSeconds;
      log(
        `  with the fused graphs ${ab135.a.toFixed(2)} s/step, without ${ab135.b.toFixed(2)} s/step (${(ab135.b / ab135.a).toFixed(2)}×; ${abRounds} alternating rounds): ${((100 * flopsPerStep) / ab135.a / peak135).toFixed(0)}% vs ${((100 * flopsPerStep) / ab135.b / peak135).toFixed(0)}% of the peak`,
      );
    }
  }

  const parts = [
    `gemm ours/onnxruntime ${(g135.ours / g135.ort).toFixed(2)} (${f1(g135.ort)} GFLOP/s, ${threads} threads)`,
    `stories260K ${s260.tokensPerSecond.toFixed(0)} tok/s`,
    `llama-1m full ${pre.tokensPerSecond.toFixed(0)} tok/s ${f1(preGflops)} GFLOP/s`,
  ];
  if (s135)
    parts.push(
      `smollm2-135m-shape r16 seq256 ${f1(s135.tokensPerSecond)} tok/s = ${((100 * s135.productGflops) / peak135).toFixed(0)}% of gemm peak`,
    );
  console.log(`train: ${parts.join(" · ")}`);
  if (json) {
    const round = (x: number, d = 3) => Number(x.toFixed(d));
    console.log(
      JSON.stringify({
        threads,
        gemmVsOrt: round(g135.ours / g135.ort),
        gemmVsOrtBatchedShape: round(g1m.ours / g1m.ort),
        ortPeakGflops: round(g135.ort, 1),
        tsGflops: round(g135.ts!, 2),
        attentionBatchedVsPerHead: round(att.batched / att.perProduct),
        ortCrossoverSide: cross.side ?? null,
        heapRetentionSpeedup: round(heap.defaultMs / heap.retainedMs),
        stories260kTokensPerSecond: round(s260.tokensPerSecond, 0),
        pretrain1mTokensPerSecond: round(pre.tokensPerSecond, 0),
        pretrain1mGflops: round(preGflops, 2),
        pretrain1mProductGflops: round(pre.productGflops, 2),
        pretrain1mOrtShare: round(pre.ortShare),
        pretrain1mGraphsSpeedup: ab1m ? round(ab1m.b / ab1m.a) : null,
        adamw1mStepShare: round(adamw / 1000 / pre.stepSeconds, 4),
        lora135mTokensPerSecond: s135 ? round(s135.tokensPerSecond, 1) : null,
        lora135mPeakFraction: s135 ? round(s135.productGflops / peak135) : null,
        lora135mPeakGflops: s135 ? round(peak135, 1) : null,
        lora135mGraphsSpeedup: ab135 ? round(ab135.b / ab135.a) : null,
      }),
    );
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
