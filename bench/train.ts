/**
 * `npm run bench -- train [--steps N] [--skip-135m]`: GEMM GFLOP/s of the trainer's kernel vs
 * onnxruntime-node alone vs the TypeScript fallback, the ORT call overhead that sets the size
 * threshold, and training tokens/s (LoRA) on stories260K and on a random GGUF with
 * SmolLM2-135M's shape (rank 16, seq 256). Ends with a one-line summary.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ort from "onnxruntime-node";
import { writeRandomModel } from "../src/gguf/index.ts";
import { SeededRandom } from "../src/math/seeded-random.ts";
import { configureGemm, gemm, gemmStats, resetGemmStats } from "../src/train/gemm.ts";
import { gemmTs } from "../src/train/gemm-ts.ts";
import { loadTransformer } from "../src/train/load-gguf.ts";
import { addLora } from "../src/train/lora.ts";
import { sftObjective } from "../src/train/objectives.ts";
import { gemmModelBytes } from "../src/train/onnx-gemm-model.ts";
import { trainLoop } from "../src/train/train-loop.ts";

const args = process.argv.slice(3);
const steps = Number(args[args.indexOf("--steps") + 1] ?? 2) || 2;
const skip135 = args.includes("--skip-135m");
const threads = Number(process.env["CHORUS_TRAIN_THREADS"] ?? 2);
configureGemm({ threads });
const log = (s: string) => process.stderr.write(`${s}\n`);

function rand(n: number, seed: number): Float32Array {
  const r = new SeededRandom(seed);
  return Float32Array.from({ length: n }, () => r.next() - 0.5);
}

async function time(fn: () => Promise<unknown> | unknown, minMs = 400): Promise<number> {
  await fn();
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < minMs || n < 2) {
    await fn();
    n++;
  }
  return (performance.now() - t0) / n;
}

// 1. GEMM throughput at a training shape ([256 tokens × 576] · [576 × 1536]) and a square one.
const session = await ort.InferenceSession.create(gemmModelBytes(false, true), {
  intraOpNumThreads: threads,
});
const gf = (m: number, n: number, k: number, ms: number) => (2 * m * n * k) / ms / 1e6;
const gemmRows: Array<{ shape: string; ours: number; ort: number; ts: number }> = [];
for (const [m, n, k] of [
  [256, 1536, 576],
  [512, 512, 512],
] as const) {
  const a = rand(m * k, 1);
  const b = rand(n * k, 2);
  const ours = await time(() => gemm(a, b, m, n, k, false, true));
  const raw = await time(() =>
    session.run({
      A: new ort.Tensor("float32", a, [m, k]),
      B: new ort.Tensor("float32", b, [n, k]),
    }),
  );
  const ts = await time(() => gemmTs(a, b, m, n, k, false, true), 300);
  gemmRows.push({
    shape: `${m}x${k}·${k}x${n}`,
    ours: gf(m, n, k, ours),
    ort: gf(m, n, k, raw),
    ts: gf(m, n, k, ts),
  });
  log(
    `gemm ${m}x${k}·${k}x${n}: ours ${gf(m, n, k, ours).toFixed(1)} GFLOP/s, onnxruntime alone ${gf(m, n, k, raw).toFixed(1)}, TypeScript ${gf(m, n, k, ts).toFixed(2)}`,
  );
}
// The peak the training run is compared with: onnxruntime alone at the training shape.
const peak = gemmRows[0]!.ort;

// 2. Where onnxruntime starts to pay: per-call time of both kernels on cubes of side s.
for (const s of [16, 32, 40, 64, 96]) {
  const a = rand(s * s, 3);
  const b = rand(s * s, 4);
  const o = await time(
    () =>
      session.run({
        A: new ort.Tensor("float32", a, [s, s]),
        B: new ort.Tensor("float32", b, [s, s]),
      }),
    150,
  );
  const t = await time(() => gemmTs(a, b, s, s, s, false, true), 150);
  log(
    `  ${s}³ (M·N·K=${s ** 3}): onnxruntime ${(o * 1000).toFixed(0)} µs/call, TypeScript ${(t * 1000).toFixed(0)} µs/call`,
  );
}

// 3. Training throughput.
async function trainSpeed(path: string, seq: number, rank: number, nSteps: number) {
  const { model } = await loadTransformer(path);
  addLora(model, {
    rank,
    alpha: 2 * rank,
    targets: ["attn_q", "attn_k", "attn_v", "attn_output"],
    seed: 1,
  });
  const rng = new SeededRandom(5);
  const V = model.config.vocabSize;
  const examples = Array.from({ length: nSteps + 1 }, () => ({
    tokens: Array.from({ length: seq + 1 }, () => 3 + rng.int(V - 3)),
    start: 1,
  }));
  // One warm-up step (session creation, JIT), then the timed ones.
  await trainLoop(model, examples.slice(0, 1), sftObjective(), { lr: 1e-4 });
  resetGemmStats();
  const r = await trainLoop(model, examples.slice(1), sftObjective(), { lr: 1e-4, shuffle: false });
  const tokPerS = r.tokens / r.seconds;
  const gflops = gemmStats.flops / r.seconds / 1e9;
  return { tokPerS, gflops, seconds: r.seconds, tokens: r.tokens };
}

const stories = new URL("../../shared/models/stories260K.gguf", import.meta.url).pathname;
const s260 = await trainSpeed(stories, 128, 8, 4);
log(
  `stories260K LoRA r8 seq 128: ${s260.tokPerS.toFixed(0)} tokens/s (${s260.gflops.toFixed(2)} GFLOP/s in products)`,
);

let s135: { tokPerS: number; gflops: number } | undefined;
if (!skip135) {
  const dir = await mkdtemp(join(tmpdir(), "chorus-bench-train-"));
  try {
    const path = join(dir, "smollm2-135m-shape.gguf");
    await writeRandomModel(path, { preset: "smollm2-135m", type: "Q8_0", seed: 1, chatml: false });
    s135 = await trainSpeed(path, 256, 16, steps);
    log(
      `SmolLM2-135M shape LoRA r16 seq 256: ${s135.tokPerS.toFixed(1)} tokens/s (${s135.gflops.toFixed(1)} GFLOP/s in products, ${steps} steps)`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const g = gemmRows[0]!;
const parts = [
  `gemm ${g.shape} ours ${g.ours.toFixed(1)} / onnxruntime ${g.ort.toFixed(1)} / ts ${g.ts.toFixed(2)} GFLOP/s (${threads} threads)`,
  `stories260K ${s260.tokPerS.toFixed(0)} tok/s`,
];
if (s135) {
  parts.push(
    `smollm2-135m-shape r16 seq256 ${s135.tokPerS.toFixed(1)} tok/s = ${((100 * s135.gflops) / peak).toFixed(0)}% of gemm peak`,
  );
}
console.log(`train: ${parts.join(" · ")}`);
