import { SeededRandom } from "../math/seeded-random.ts";
import type { Arr } from "./array.ts";
import type { Param } from "./param.ts";
import { linearNames, Transformer, type TransformerConfig } from "./transformer.ts";

/**
 * In-memory weight shapes of a config, keyed by GGUF tensor name, row-major ([out, in] for
 * linear weights). qwen2 adds Q/K/V biases.
 */
export function weightShapes(c: TransformerConfig): Map<string, number[]> {
  const s = new Map<string, number[]>();
  s.set("token_embd.weight", [c.vocabSize, c.nEmbd]);
  s.set("output_norm.weight", [c.nEmbd]);
  if (!c.tiedOutput) s.set("output.weight", [c.vocabSize, c.nEmbd]);
  const qDim = c.nHead * c.headDim;
  const kvDim = c.nHeadKv * c.headDim;
  const dims: Record<(typeof linearNames)[number], [number, number]> = {
    attn_q: [qDim, c.nEmbd],
    attn_k: [kvDim, c.nEmbd],
    attn_v: [kvDim, c.nEmbd],
    attn_output: [c.nEmbd, qDim],
    ffn_gate: [c.nFf, c.nEmbd],
    ffn_up: [c.nFf, c.nEmbd],
    ffn_down: [c.nEmbd, c.nFf],
  };
  for (let l = 0; l < c.nLayer; l++) {
    s.set(`blk.${l}.attn_norm.weight`, [c.nEmbd]);
    s.set(`blk.${l}.ffn_norm.weight`, [c.nEmbd]);
    for (const n of linearNames) s.set(`blk.${l}.${n}.weight`, dims[n]);
    if (c.arch === "qwen2") {
      s.set(`blk.${l}.attn_q.bias`, [qDim]);
      s.set(`blk.${l}.attn_k.bias`, [kvDim]);
      s.set(`blk.${l}.attn_v.bias`, [kvDim]);
    }
  }
  return s;
}

/**
 * A transformer with random weights (normal, std 0.02 for matrices scaled up for tiny widths;
 * norms near 1; small biases), for tests and benchmarks without a file.
 */
export function randomTransformer(
  config: TransformerConfig,
  seed = 1,
  precision: "f32" | "f64" = "f32",
  std = 0.2,
): Transformer {
  const rng = new SeededRandom(seed);
  const params = new Map<string, Param>();
  for (const [name, shape] of weightShapes(config)) {
    const n = shape.reduce((a, b) => a * b, 1);
    const data: Arr = precision === "f64" ? new Float64Array(n) : new Float32Array(n);
    const isNorm = name.includes("norm");
    const isBias = name.endsWith(".bias");
    for (let i = 0; i < n; i++) {
      data[i] = isNorm ? 1 + 0.1 * rng.normal() : isBias ? 0.1 * rng.normal() : std * rng.normal();
    }
    params.set(name, { name, shape, data });
  }
  return new Transformer(config, params);
}
