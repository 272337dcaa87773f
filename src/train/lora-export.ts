import { writeLoraAdapter } from "../gguf/index.ts";
import { loraAdapters } from "./lora.ts";
import type { Transformer } from "./transformer.ts";

/**
 * Writes the model's LoRA adapters as a GGUF LoRA file that llama.cpp (and the llamacpp
 * engine's `lora` option) loads: tensors `<weight>.lora_a/.lora_b`, `adapter.lora.alpha`.
 * The file holds a single alpha, so adapters
 * with another alpha are rescaled into B to keep W + (alpha/rank)·B·A exact.
 */
export async function exportLoraAdapter(
  model: Transformer,
  path: string,
  options: { name?: string; type?: "F32" | "F16" } = {},
): Promise<void> {
  const adapters = loraAdapters(model);
  if (adapters.size === 0) throw new Error("the model has no LoRA adapters to export");
  const first = [...adapters.values()][0]!;
  const alpha = first.alpha;
  const weights = [...adapters].map(([target, lora]) => {
    const [nOut, nIn] = [lora.b.shape[0]!, lora.a.shape[1]!];
    const b = Float32Array.from(lora.b.data);
    if (lora.alpha !== alpha) for (let i = 0; i < b.length; i++) b[i]! *= lora.alpha / alpha;
    return { target, nIn, nOut, rank: lora.rank, a: Float32Array.from(lora.a.data), b };
  });
  await writeLoraAdapter(path, {
    architecture: model.config.arch,
    alpha,
    weights,
    ...(options.type ? { type: options.type } : {}),
    ...(options.name ? { name: options.name } : {}),
  });
}
