import koffi from "koffi";
import { type NativeLora, NativeModel } from "../engines/llamacpp/ffi/native-model.ts";

/**
 * llama.cpp's own logits for every position of `tokens`, for parity tests. The context uses an
 * F32 KV cache and no flash attention: the engine's defaults (F16 cache, FA) round K/V/Q to
 * half precision, which moves logits by ~1e-2 and would hide real differences.
 */
export async function llamaCppLogits(
  modelPath: string,
  tokens: readonly number[],
  lora: readonly NativeLora[] = [],
): Promise<Float32Array[]> {
  const model = NativeModel.load(modelPath, lora);
  const { fn } = model.lib;
  const params = fn.llama_context_default_params() as Record<string, unknown>;
  const n = tokens.length;
  params.n_ctx = Math.max(64, n);
  params.n_batch = n;
  params.n_ubatch = n;
  params.n_threads = 1;
  params.n_threads_batch = 1;
  params.type_k = 0;
  params.type_v = 0;
  params.flash_attn_type = 0;
  params.no_perf = true;
  const ctx = fn.llama_init_from_model(model.ptr, params);
  if (!ctx) {
    model.close();
    throw new Error("llama.cpp could not create a reference context");
  }
  const batch = fn.llama_batch_init(n, 0, 1) as Record<string, unknown>;
  try {
    if (model.loraAdapters.length > 0) {
      const adapters = model.loraAdapters.map((a) => a.ptr);
      const scales = Float32Array.from(model.loraAdapters.map((a) => a.scale));
      fn.llama_set_adapters_lora(ctx, adapters, adapters.length, scales);
    }
    const tok = new Int32Array(koffi.view(batch.token, n * 4));
    const pos = new Int32Array(koffi.view(batch.pos, n * 4));
    const out = new Int8Array(koffi.view(batch.logits, n));
    new Int32Array(koffi.view(batch.n_seq_id, n * 4)).fill(1);
    const seqPtrs = koffi.decode(batch.seq_id, koffi.array("void*", n)) as unknown[];
    for (const p of seqPtrs) new Int32Array(koffi.view(p, 4))[0] = 0;
    for (let i = 0; i < n; i++) {
      tok[i] = tokens[i]!;
      pos[i] = i;
      out[i] = 1;
    }
    batch.n_tokens = n;
    const rc = fn.llama_decode(ctx, batch) as number;
    if (rc !== 0) throw new Error(`llama_decode failed with code ${rc}`);
    const rows: Float32Array[] = [];
    for (let i = 0; i < n; i++) {
      const p = fn.llama_get_logits_ith(ctx, i);
      rows.push(Float32Array.from(new Float32Array(koffi.view(p, model.nVocab * 4))));
    }
    return rows;
  } finally {
    fn.llama_batch_free(batch);
    fn.llama_free(ctx);
    model.close();
  }
}
