import { openGguf } from "../gguf/index.ts";
import { DataError } from "../model/errors.ts";
import type { Arr } from "./array.ts";
import type { Param } from "./param.ts";
import { weightShapes } from "./random-model.ts";
import { Transformer, type TransformerConfig } from "./transformer.ts";

/** Architectures the trainer implements, and the RoPE pairing llama.cpp uses for each. */
const ropeTypes = { llama: "normal", qwen2: "neox" } as const;

export interface LoadTransformerOptions {
  /** "f64" for gradient checks; "f32" (default) for training. */
  precision?: "f32" | "f64";
}

/** A loaded model plus what the trainer needs to name the file in adapters and caches. */
export interface LoadedTransformer {
  model: Transformer;
  path: string;
  architecture: "llama" | "qwen2";
}

/**
 * Loads a llama or qwen2 GGUF (any dequantizable weight type: F32/F16/BF16/Q8_0/Q4_0/Q4_K/Q6_K)
 * into a trainable transformer with float weights. GGUF stores a linear weight with ne=[in, out],
 * which read row-major is exactly our [out, in] layout, so no transpose is needed.
 */
export async function loadTransformer(
  path: string,
  options: LoadTransformerOptions = {},
): Promise<LoadedTransformer> {
  const file = await openGguf(path);
  try {
    const arch = file.architecture;
    if (arch !== "llama" && arch !== "qwen2") {
      throw new DataError(
        `the trainer supports llama and qwen2 models, this one is "${arch ?? "unknown"}"; train it with an external trainer (export the data with toTrlJsonl/toOpenAiJsonl)`,
        { file: path },
      );
    }
    const nEmbd = file.number(`${arch}.embedding_length`);
    const nHead = file.number(`${arch}.attention.head_count`);
    const headDim = file.optionalNumber(`${arch}.attention.key_length`) ?? nEmbd / nHead;
    const tokenEmbd = file.tensor("token_embd.weight");
    const config: TransformerConfig = {
      arch,
      vocabSize: tokenEmbd.shape[1]!,
      nEmbd,
      nLayer: file.number(`${arch}.block_count`),
      nHead,
      nHeadKv: file.optionalNumber(`${arch}.attention.head_count_kv`) ?? nHead,
      headDim,
      nFf: file.number(`${arch}.feed_forward_length`),
      normEps: file.optionalNumber(`${arch}.attention.layer_norm_rms_epsilon`) ?? 1e-5,
      ropeBase: file.optionalNumber(`${arch}.rope.freq_base`) ?? 10000,
      ropeDims: file.optionalNumber(`${arch}.rope.dimension_count`) ?? headDim,
      ropeType: ropeTypes[arch],
      tiedOutput: !file.hasTensor("output.weight"),
    };
    const shapes = weightShapes(config);
    // qwen2 files always carry Q/K/V biases; llama files may too (some converters add them).
    for (const t of file.tensors) {
      if (t.name.endsWith(".bias") && !shapes.has(t.name)) shapes.set(t.name, [t.shape[0]!]);
    }
    const params = new Map<string, Param>();
    for (const [name, shape] of shapes) {
      if (!file.hasTensor(name)) {
        if (name.endsWith(".bias")) continue;
        throw new DataError(`the model has no tensor "${name}"; is it a complete ${arch} GGUF?`, {
          file: path,
        });
      }
      const info = file.tensor(name);
      const n = shape.reduce((a, b) => a * b, 1);
      if (info.elementCount !== n) {
        throw new DataError(
          `tensor "${name}" has ${info.elementCount} values, expected ${n} (shape ${shape.join("×")}) from the header`,
          { file: path },
        );
      }
      const f32 = await file.readTensor(info);
      const data: Arr = options.precision === "f64" ? Float64Array.from(f32) : f32;
      params.set(name, { name, shape, data });
    }
    return { model: new Transformer(config, params), path, architecture: arch };
  } finally {
    await file.close();
  }
}
