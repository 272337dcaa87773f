/**
 * Child process of bench/train.ts's heap-retention comparison (mallopt is process-wide, so the
 * two settings need two processes): prints the median ms of a batched-training-shape product
 * through the trainer's kernel, [4096×128]·[128×384] (a 1M-parameter model's FFN on 16×256 rows).
 */
import { SeededRandom } from "../../src/math/seeded-random.ts";
import { gemm } from "../../src/train/gemm.ts";
import { interleavedMedians } from "./interleaved.ts";
import { useTrainThreads } from "./train-bench.ts";

useTrainThreads();
const [m, n, k] = [4096, 384, 128];
const r = new SeededRandom(7);
const a = Float32Array.from({ length: m * k }, () => r.next() - 0.5);
const b = Float32Array.from({ length: n * k }, () => r.next() - 0.5);
const { product } = await interleavedMedians(
  { product: () => gemm(a, b, m, n, k, false, true) },
  { rounds: 5, minMs: 80 },
);
process.stdout.write(`${JSON.stringify({ ms: product })}\n`);
