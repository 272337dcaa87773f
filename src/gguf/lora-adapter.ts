import { deriveSeed, SeededRandom } from "../math/seeded-random.ts";
import { DataError } from "../model/errors.ts";
import { openGguf } from "./gguf-file.ts";
import { type GgufValue, gguf } from "./gguf-value.ts";
import { type GgufTensorInput, writeGguf } from "./gguf-writer.ts";

/**
 * One adapted weight `W` ([nOut × nIn], stored in GGUF as ne=[nIn, nOut]): llama.cpp computes
 * `W x + scale · B (A x)` with `scale = alpha / rank` (times the user's adapter scale).
 */
export interface LoraWeight {
  /** The base model tensor it adapts, e.g. "blk.0.attn_q.weight". */
  target: string;
  nIn: number;
  nOut: number;
  rank: number;
  /** A as [rank × nIn], row-major (PyTorch `lora_A.weight`); stored as ne=[nIn, rank]. */
  a: Float32Array;
  /** B as [nOut × rank], row-major (PyTorch `lora_B.weight`); stored as ne=[rank, nOut]. */
  b: Float32Array;
}

export interface LoraAdapterInput {
  /** Must equal the base model's `general.architecture` (llama.cpp refuses a mismatch). */
  architecture: string;
  alpha: number;
  weights: readonly LoraWeight[];
  /** Storage type of A and B (default F32). */
  type?: "F32" | "F16";
  name?: string;
}

/** Writes a LoRA adapter GGUF that llama.cpp (and node-llama-cpp's `lora` option) loads. */
export async function writeLoraAdapter(path: string, input: LoraAdapterInput): Promise<void> {
  const type = input.type ?? "F32";
  const tensors: GgufTensorInput[] = [];
  for (const w of input.weights) {
    if (!w.target.endsWith(".weight")) {
      throw new DataError(`LoRA target "${w.target}" must name a weight tensor ("....weight")`);
    }
    if (w.a.length !== w.rank * w.nIn || w.b.length !== w.nOut * w.rank) {
      throw new DataError(
        `LoRA weight "${w.target}": A needs rank×nIn=${w.rank * w.nIn} values (got ${w.a.length}), ` +
          `B needs nOut×rank=${w.nOut * w.rank} (got ${w.b.length})`,
      );
    }
    tensors.push(
      { name: `${w.target}.lora_a`, shape: [w.nIn, w.rank], type, values: w.a },
      { name: `${w.target}.lora_b`, shape: [w.rank, w.nOut], type, values: w.b },
    );
  }
  const metadata: Array<[string, GgufValue]> = [
    ["general.architecture", gguf.str(input.architecture)],
    ["general.type", gguf.str("adapter")],
    ["general.name", gguf.str(input.name ?? "chorus-lora")],
    ["adapter.type", gguf.str("lora")],
    ["adapter.lora.alpha", gguf.f32(input.alpha)],
  ];
  await writeGguf(path, { metadata, tensors });
}

export interface RandomLoraOptions {
  rank?: number;
  alpha?: number;
  /** Weight kinds to adapt in every block (default attn_q and attn_v). */
  targets?: readonly string[];
  std?: number;
  seed?: number;
}

/**
 * Writes a LoRA adapter with seeded random A and B for `baseModelPath` (shapes and architecture
 * are read from that file). Both A and B are non-zero, so the adapter changes the model's output.
 */
export async function writeRandomLora(
  path: string,
  baseModelPath: string,
  options: RandomLoraOptions = {},
): Promise<LoraWeight[]> {
  const { rank = 4, alpha = rank, targets = ["attn_q", "attn_v"], std = 0.1, seed = 0 } = options;
  const base = await openGguf(baseModelPath);
  try {
    const architecture = base.architecture;
    if (architecture === undefined) {
      throw new DataError("base model has no general.architecture", { file: baseModelPath });
    }
    const weights: LoraWeight[] = [];
    for (const info of base.tensors) {
      const match = /^blk\.\d+\.([a-z_]+)\.weight$/.exec(info.name);
      if (!match || !targets.includes(match[1]!) || info.shape.length !== 2) continue;
      const [nIn, nOut] = info.shape as [number, number];
      const random = new SeededRandom(deriveSeed(seed, info.name));
      weights.push({
        target: info.name,
        nIn,
        nOut,
        rank,
        a: random.fillUniform(new Float32Array(rank * nIn), std),
        b: random.fillUniform(new Float32Array(nOut * rank), std),
      });
    }
    if (weights.length === 0) {
      throw new DataError(`no blk.N.{${targets.join(",")}}.weight tensors to adapt`, {
        file: baseModelPath,
      });
    }
    await writeLoraAdapter(path, { architecture, alpha, weights });
    return weights;
  } finally {
    await base.close();
  }
}
