import { openGguf } from "../gguf/gguf-file.ts";

/** What `chorus models info` shows about a GGUF file, read from its header only. */
export interface ModelInfo {
  path: string;
  bytes: number;
  ggufVersion: number;
  architecture?: string;
  name?: string;
  /** `<arch>.*` hyperparameters (context_length, embedding_length, block_count, ...). */
  hparams: Record<string, number | string | boolean>;
  vocabSize?: number;
  tokenizer?: string;
  hasChatTemplate: boolean;
  tensorCount: number;
  parameters: number;
  /** Tensor count per ggml type, e.g. { Q8_0: 169, F32: 61 }. */
  tensorTypes: Record<string, number>;
}

/** Reads a model file's header (no tensor data) and summarizes it. */
export async function readModelInfo(path: string): Promise<ModelInfo> {
  const file = await openGguf(path);
  try {
    const architecture = file.architecture;
    const hparams: Record<string, number | string | boolean> = {};
    if (architecture !== undefined) {
      for (const [key, value] of file.metadata) {
        if (!key.startsWith(`${architecture}.`) || value.type === "array") continue;
        // float32 values print as the decimal they were written from (1e-5, not 9.99999974e-6)
        hparams[key.slice(architecture.length + 1)] =
          typeof value.value === "bigint"
            ? Number(value.value)
            : value.type === "float32"
              ? Number(value.value.toPrecision(7))
              : value.value;
      }
    }
    const tensorTypes: Record<string, number> = {};
    let parameters = 0;
    for (const tensor of file.tensors) {
      tensorTypes[tensor.type] = (tensorTypes[tensor.type] ?? 0) + 1;
      parameters += tensor.elementCount;
    }
    const tokens = file.metadata.get("tokenizer.ggml.tokens");
    const name = file.metadata.get("general.name");
    const tokenizer = file.metadata.get("tokenizer.ggml.model");
    return {
      path,
      bytes: file.fileSize,
      ggufVersion: file.version,
      ...(architecture !== undefined ? { architecture } : {}),
      ...(name?.type === "string" ? { name: name.value } : {}),
      hparams,
      ...(tokens?.type === "array" ? { vocabSize: tokens.items.length } : {}),
      ...(tokenizer?.type === "string" ? { tokenizer: tokenizer.value } : {}),
      hasChatTemplate: file.metadata.has("tokenizer.chat_template"),
      tensorCount: file.tensors.length,
      parameters,
      tensorTypes,
    };
  } finally {
    await file.close();
  }
}
