import { type GgufTensorInput, gguf, openGguf, writeGguf } from "../gguf/index.ts";
import type { Transformer } from "./transformer.ts";

/**
 * Writes a fully fine-tuned model as a GGUF the llamacpp engine loads: the source file's
 * metadata (tokenizer, chat template, hparams) with every weight the trainer holds written as
 * F32 (LoRA adapters, if any, are merged: W + (alpha/rank)·B·A); tensors the trainer does not
 * model are copied byte for byte. `type: "Q8_0"` stores the matrices whose rows are a multiple
 * of 32 wide as Q8_0 (about a quarter of the size; norms and biases stay F32).
 */
export async function exportFullModel(
  model: Transformer,
  sourcePath: string,
  outPath: string,
  options: { type?: "F32" | "Q8_0" } = {},
): Promise<void> {
  const quantized = options.type === "Q8_0";
  const src = await openGguf(sourcePath);
  try {
    const merged = mergedWeights(model);
    const tensors: GgufTensorInput[] = [];
    for (const info of src.tensors) {
      const p = model.params.get(info.name);
      if (p) {
        const values = merged.get(info.name) ?? Float32Array.from(p.data);
        const q8 = quantized && info.shape.length === 2 && info.shape[0]! % 32 === 0;
        tensors.push({ name: info.name, shape: info.shape, type: q8 ? "Q8_0" : "F32", values });
      } else {
        tensors.push({
          name: info.name,
          shape: info.shape,
          type: info.type,
          bytes: await src.readTensorBytes(info),
        });
      }
    }
    const metadata = new Map(src.metadata);
    // llama.cpp's file types: 0 = all F32, 7 = mostly Q8_0
    if (metadata.has("general.file_type") || quantized)
      metadata.set("general.file_type", gguf.u32(quantized ? 7 : 0));
    await writeGguf(outPath, { metadata, tensors });
  } finally {
    await src.close();
  }
}

/** W + (alpha/rank)·B·A for every weight with an adapter. */
function mergedWeights(model: Transformer): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  model.blocks.forEach((b, l) => {
    for (const [name, lin] of Object.entries(b.linears)) {
      const lora = lin.lora;
      if (!lora) continue;
      const [outF, inF] = lin.w.shape as [number, number];
      const w = Float32Array.from(lin.w.data);
      const s = lora.alpha / lora.rank;
      for (let o = 0; o < outF; o++)
        for (let r = 0; r < lora.rank; r++) {
          const bo = s * lora.b.data[o * lora.rank + r]!;
          if (bo === 0) continue;
          const row = o * inF;
          const arow = r * inF;
          for (let i = 0; i < inF; i++) w[row + i]! += bo * lora.a.data[arow + i]!;
        }
      out.set(`blk.${l}.${name}.weight`, w);
    }
  });
  return out;
}
