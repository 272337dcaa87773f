import { deriveSeed, SeededRandom } from "../math/seeded-random.ts";
import type { GgmlType } from "./ggml-type.ts";
import { type GgufValue, gguf } from "./gguf-value.ts";
import { type GgufTensorInput, writeGguf } from "./gguf-writer.ts";
import { buildSpmVocab, spmVocabMetadata } from "./spm-vocab.ts";

/** Architectures the random-model writer can produce. */
export type RandomModelArchitecture = "llama" | "qwen2";

/** The shape of a decoder-only transformer, as llama.cpp's hparams name it. */
export interface ModelShape {
  architecture: RandomModelArchitecture;
  embeddingLength: number;
  blockCount: number;
  feedForwardLength: number;
  headCount: number;
  headCountKv: number;
  vocabSize: number;
  contextLength: number;
  rmsEpsilon: number;
  ropeFreqBase: number;
  /** Output projection shares the token embedding (no `output.weight` tensor). */
  tiedEmbeddings: boolean;
}

/** Named shapes: `tiny` for tests, and the shapes of two real small instruct models. */
export const modelPresets = {
  tiny: {
    architecture: "llama",
    embeddingLength: 64,
    blockCount: 2,
    feedForwardLength: 128,
    headCount: 4,
    headCountKv: 2,
    vocabSize: 512,
    contextLength: 512,
    rmsEpsilon: 1e-5,
    ropeFreqBase: 10000,
    tiedEmbeddings: false,
  },
  "smollm2-135m": {
    architecture: "llama",
    embeddingLength: 576,
    blockCount: 30,
    feedForwardLength: 1536,
    headCount: 9,
    headCountKv: 3,
    vocabSize: 49152,
    contextLength: 8192,
    rmsEpsilon: 1e-5,
    ropeFreqBase: 100000,
    tiedEmbeddings: true,
  },
  "qwen2.5-0.5b": {
    architecture: "qwen2",
    embeddingLength: 896,
    blockCount: 24,
    feedForwardLength: 4864,
    headCount: 14,
    headCountKv: 2,
    vocabSize: 151936,
    contextLength: 32768,
    rmsEpsilon: 1e-6,
    ropeFreqBase: 1000000,
    tiedEmbeddings: true,
  },
} as const satisfies Record<string, ModelShape>;

export type ModelPreset = keyof typeof modelPresets;

/** Types the random-model writer stores its matrices in (norms and biases stay F32). */
export type RandomModelTensorType = Extract<GgmlType, "F32" | "F16" | "BF16" | "Q8_0" | "Q4_0">;

export interface RandomModelOptions extends Partial<ModelShape> {
  /** Start from a preset (default "tiny"); other fields override it. */
  preset?: ModelPreset;
  /** Type of the weight matrices (default F32). */
  type?: RandomModelTensorType;
  /** Weights are uniform with this standard deviation (default 0.02, as in HF random init). */
  std?: number;
  seed?: number;
  /**
   * Standard deviation of the matrices that write into the residual stream (`attn_output`,
   * `ffn_down`; default `std`): GPT-2's std/sqrt(2·layers) keeps the residual stream's scale
   * independent of depth when training from scratch.
   */
  residualStd?: number;
  /** Add ChatML tokens and template (default true), so chat requests work. */
  chatml?: boolean;
  /**
   * `tokenizer.*` metadata to write instead of the generated vocabulary (a corpus vocabulary, or
   * another model's); `vocabSize` must equal its number of tokens.
   */
  tokenizer?: Array<[string, GgufValue]>;
  name?: string;
}

const fileTypes: Record<RandomModelTensorType, number> = {
  F32: 0,
  F16: 1,
  Q4_0: 2,
  Q8_0: 7,
  BF16: 32,
};

const chunkElements = 1 << 20;

/**
 * Writes a GGUF model with the given shape and seeded random weights that llama.cpp loads and runs
 * (the output is gibberish; speed depends only on the shape). Each tensor's values depend only on
 * the seed and the tensor's name, so the same seed in F32 and Q8_0 gives the same weights up to
 * quantization. Returns the shape written.
 */
export async function writeRandomModel(
  path: string,
  options: RandomModelOptions = {},
): Promise<ModelShape> {
  const { preset = "tiny", type = "F32", std = 0.02, seed = 0, chatml = true } = options;
  const shape: ModelShape = { ...modelPresets[preset] };
  for (const key of Object.keys(shape) as Array<keyof ModelShape>) {
    const value = options[key];
    if (value !== undefined) (shape as unknown as Record<string, unknown>)[key] = value;
  }
  const { embeddingLength: nEmbd, headCount, headCountKv, feedForwardLength: nFf } = shape;
  if (nEmbd % headCount !== 0 || headCount % headCountKv !== 0) {
    throw new RangeError(
      `embeddingLength ${nEmbd} must divide by headCount ${headCount}, and headCount by headCountKv ${headCountKv}`,
    );
  }
  const headDim = nEmbd / headCount;
  const kvDim = headDim * headCountKv;
  const tokenizer =
    options.tokenizer ?? spmVocabMetadata(buildSpmVocab(shape.vocabSize, { chatml }));
  const tokenList = tokenizer.find(([key]) => key === "tokenizer.ggml.tokens")?.[1];
  if (tokenList?.type === "array" && tokenList.items.length !== shape.vocabSize) {
    throw new RangeError(
      `vocabSize ${shape.vocabSize} must equal the tokenizer's ${tokenList.items.length} tokens`,
    );
  }
  const arch = shape.architecture;

  const matrix = (name: string, nIn: number, nOut: number, sd = std): GgufTensorInput => ({
    name,
    shape: [nIn, nOut],
    type,
    values: () => randomChunks(deriveSeed(seed, name), nIn * nOut, nIn, sd),
  });
  const residualStd = options.residualStd ?? std;
  const vector = (name: string, length: number, fill?: number): GgufTensorInput => ({
    name,
    shape: [length],
    type: "F32",
    values: () =>
      fill !== undefined
        ? new Float32Array(length).fill(fill)
        : new SeededRandom(deriveSeed(seed, name)).fillUniform(new Float32Array(length), std),
  });

  const tensors: GgufTensorInput[] = [matrix("token_embd.weight", nEmbd, shape.vocabSize)];
  for (let i = 0; i < shape.blockCount; i++) {
    const blk = `blk.${i}`;
    tensors.push(
      vector(`${blk}.attn_norm.weight`, nEmbd, 1),
      matrix(`${blk}.attn_q.weight`, nEmbd, nEmbd),
      matrix(`${blk}.attn_k.weight`, nEmbd, kvDim),
      matrix(`${blk}.attn_v.weight`, nEmbd, kvDim),
    );
    if (arch === "qwen2") {
      tensors.push(
        vector(`${blk}.attn_q.bias`, nEmbd),
        vector(`${blk}.attn_k.bias`, kvDim),
        vector(`${blk}.attn_v.bias`, kvDim),
      );
    }
    tensors.push(
      matrix(`${blk}.attn_output.weight`, nEmbd, nEmbd, residualStd),
      vector(`${blk}.ffn_norm.weight`, nEmbd, 1),
      matrix(`${blk}.ffn_gate.weight`, nEmbd, nFf),
      matrix(`${blk}.ffn_up.weight`, nEmbd, nFf),
      matrix(`${blk}.ffn_down.weight`, nFf, nEmbd, residualStd),
    );
  }
  tensors.push(vector("output_norm.weight", nEmbd, 1));
  if (!shape.tiedEmbeddings) tensors.push(matrix("output.weight", nEmbd, shape.vocabSize));

  const metadata: Array<[string, GgufValue]> = [
    ["general.architecture", gguf.str(arch)],
    ["general.name", gguf.str(options.name ?? `chorus-random-${preset}`)],
    ["general.file_type", gguf.u32(fileTypes[type])],
    [`${arch}.context_length`, gguf.u32(shape.contextLength)],
    [`${arch}.embedding_length`, gguf.u32(nEmbd)],
    [`${arch}.block_count`, gguf.u32(shape.blockCount)],
    [`${arch}.feed_forward_length`, gguf.u32(nFf)],
    [`${arch}.attention.head_count`, gguf.u32(headCount)],
    [`${arch}.attention.head_count_kv`, gguf.u32(headCountKv)],
    [`${arch}.attention.layer_norm_rms_epsilon`, gguf.f32(shape.rmsEpsilon)],
    [`${arch}.rope.dimension_count`, gguf.u32(headDim)],
    [`${arch}.rope.freq_base`, gguf.f32(shape.ropeFreqBase)],
    [`${arch}.vocab_size`, gguf.u32(shape.vocabSize)],
    ...tokenizer,
  ];
  await writeGguf(path, { metadata, tensors });
  return shape;
}

/** Uniform random values for a [rows × rowLength] tensor, a bounded number of rows at a time. */
function* randomChunks(
  seed: number,
  total: number,
  rowLength: number,
  std: number,
): Generator<Float32Array> {
  const random = new SeededRandom(seed);
  const rowsPerChunk = Math.max(1, Math.floor(chunkElements / rowLength));
  const chunk = new Float32Array(rowsPerChunk * rowLength);
  for (let done = 0; done < total; done += chunk.length) {
    const size = Math.min(chunk.length, total - done);
    yield random.fillUniform(size === chunk.length ? chunk : chunk.subarray(0, size), std);
  }
}
