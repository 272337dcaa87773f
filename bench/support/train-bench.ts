/**
 * What the training benchmarks (bench/train.ts, bench/train-buffers.ts) share: their integer
 * flags, the trainer's thread count, random documents and the ~1M-parameter llama they train.
 */
import { join } from "node:path";
import { writeRandomModel } from "../../src/gguf/index.ts";
import type { SeededRandom } from "../../src/math/seeded-random.ts";
import { configureGemm } from "../../src/train/gemm.ts";
import { loadTransformer } from "../../src/train/load-gguf.ts";
import { enableGrad } from "../../src/train/param.ts";
import type { Transformer } from "../../src/train/transformer.ts";

/** The benchmark's own arguments: what follows `npm run bench -- <name>`. */
const args = process.argv.slice(3);

/** Whether `--<name>` was given. */
export function hasFlag(name: string): boolean {
  return args.includes(`--${name}`);
}

/** `--<name> N` as a positive integer, or `fallback`; anything else ends the process with 2. */
export function integerFlag(name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  const v = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < 1) {
    process.stderr.write(`--${name} takes a positive integer (got "${args[i + 1]}")\n`);
    process.exit(2);
  }
  return v;
}

/** Sets and returns the onnxruntime threads of the trainer's products (CHORUS_TRAIN_THREADS, 2). */
export function useTrainThreads(): number {
  const threads = Number(process.env["CHORUS_TRAIN_THREADS"] ?? 2);
  configureGemm({ threads });
  return threads;
}

/** An SFT example of `length` + 1 random tokens (ids 3 and up), the completion from token 1. */
export function randomDocument(
  rng: SeededRandom,
  length: number,
  vocab: number,
): { tokens: number[]; start: number } {
  return { tokens: Array.from({ length: length + 1 }, () => 3 + rng.int(vocab - 3)), start: 1 };
}

/** `count` random documents of the same length. */
export function randomDocuments(rng: SeededRandom, count: number, length: number, vocab: number) {
  return Array.from({ length: count }, () => randomDocument(rng, length, vocab));
}

/**
 * The ~1M-parameter llama (L4 d128 ffn 384 V2048, context 256) with random weights, written as
 * `dir`/llama-1m.gguf and loaded with every weight trainable: the pretraining shape.
 */
export async function trainableLlama1m(dir: string): Promise<Transformer> {
  const path = join(dir, "llama-1m.gguf");
  await writeRandomModel(path, {
    embeddingLength: 128,
    blockCount: 4,
    headCount: 4,
    headCountKv: 4,
    feedForwardLength: 384,
    vocabSize: 2048,
    contextLength: 256,
    seed: 1,
  });
  const model = (await loadTransformer(path)).model;
  for (const p of model.params.values()) enableGrad(p);
  return model;
}
