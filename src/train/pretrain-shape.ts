import { UsageError } from "../model/errors.ts";

/** The shape of a model trained from scratch; field names follow `chorus train pretrain`'s flags. */
export interface PretrainShape {
  arch: "llama" | "qwen2";
  layers: number;
  dim: number;
  heads: number;
  kvHeads: number;
  ffn: number;
  /** Training window length, also written as the model's context length. */
  seqLen: number;
  /** The output head reuses the token embedding (default: tiny models spend no parameters on it). */
  tiedEmbeddings: boolean;
}

/**
 * Named shapes (parameter counts at a 2048-token vocabulary with tied embeddings): `300k` for
 * tests and quick experiments, `1m` for the testbed's worlds of made-up facts.
 */
export const pretrainPresets = {
  "300k": {
    arch: "llama",
    layers: 2,
    dim: 64,
    heads: 4,
    kvHeads: 2,
    ffn: 384,
    seqLen: 64,
    tiedEmbeddings: true,
  },
  "1m": {
    arch: "llama",
    layers: 4,
    dim: 128,
    heads: 4,
    kvHeads: 2,
    ffn: 384,
    seqLen: 128,
    tiedEmbeddings: true,
  },
} as const satisfies Record<string, PretrainShape>;

export type PretrainPreset = keyof typeof pretrainPresets;

/**
 * Checks that a shape can be built, naming the flag to change: the width must split into heads,
 * query heads into KV groups, and each head's width must be even (RoPE rotates pairs).
 */
export function checkPretrainShape(s: PretrainShape): void {
  if (s.arch !== "llama" && s.arch !== "qwen2") {
    throw new UsageError(`--arch must be llama or qwen2, got "${s.arch}"`);
  }
  for (const [flag, value] of [
    ["--layers", s.layers],
    ["--dim", s.dim],
    ["--heads", s.heads],
    ["--kv-heads", s.kvHeads],
    ["--ffn", s.ffn],
    ["--seq-len", s.seqLen],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new UsageError(`${flag} must be a positive integer, got ${value}`);
    }
  }
  if (s.dim % s.heads !== 0) {
    throw new UsageError(
      `--dim ${s.dim} does not divide into --heads ${s.heads}; choose a --dim that is a multiple of --heads`,
    );
  }
  if (s.heads % s.kvHeads !== 0) {
    throw new UsageError(
      `--heads ${s.heads} does not divide into --kv-heads ${s.kvHeads} groups; choose --kv-heads among the divisors of --heads`,
    );
  }
  const headDim = s.dim / s.heads;
  if (headDim % 2 !== 0) {
    throw new UsageError(
      `the head width --dim/--heads = ${headDim} is odd, but RoPE rotates pairs of dimensions; choose --dim and --heads so that --dim/--heads is even`,
    );
  }
  if (s.seqLen < 2) throw new UsageError(`--seq-len must be at least 2, got ${s.seqLen}`);
}

/** Parameters of a shape for a vocabulary size (norms included; no biases). */
export function parameterCount(s: PretrainShape, vocabSize: number): number {
  const headDim = s.dim / s.heads;
  const kvDim = headDim * s.kvHeads;
  const attention =
    2 * s.dim * s.dim + 2 * s.dim * kvDim + (s.arch === "qwen2" ? s.dim + 2 * kvDim : 0);
  const block = attention + 3 * s.dim * s.ffn + 2 * s.dim;
  const embeddings = vocabSize * s.dim * (s.tiedEmbeddings ? 1 : 2);
  return s.layers * block + embeddings + s.dim;
}
