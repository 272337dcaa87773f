import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, test } from "node:test";
import koffi from "koffi";
import { openGguf } from "./gguf-file.ts";
import { quantize } from "./quantize.ts";
import { writeRandomModel } from "./random-model.ts";

/**
 * Files quantized by llama.cpp itself (`llama_model_quantize` in the libllama node-llama-cpp
 * ships, called through koffi): our reader decodes them to the original weights within each
 * type's quantization error, and our Q8_0/Q4_0 encoders produce llama.cpp's bytes exactly.
 */

function libllamaPath(): string | undefined {
  if (process.platform !== "linux" || process.arch !== "x64") return undefined;
  try {
    const entry = createRequire(import.meta.url).resolve("@node-llama-cpp/linux-x64");
    return join(dirname(entry), "..", "bins", "linux-x64", "libllama.v0.4.0.so");
  } catch {
    return undefined;
  }
}

const library = libllamaPath();
let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "chorus-llama-quantized-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test("reads llama.cpp-quantized Q8_0, Q4_0, Q4_K, Q5_K, Q6_K files; Q8_0/Q4_0 encoders are bit-exact", {
  skip: library === undefined ? "needs the linux-x64 libllama from node-llama-cpp" : false,
}, async () => {
  const llama = koffi.load(library!);
  // llama_model_quantize_params of the pinned build (include/llama.h)
  koffi.struct("chorus_gguf_quantize_params", {
    nthread: "int32",
    ftype: "int32",
    output_tensor_type: "int32",
    token_embedding_type: "int32",
    allow_requantize: "bool",
    quantize_output_tensor: "bool",
    only_copy: "bool",
    pure: "bool",
    keep_split: "bool",
    dry_run: "bool",
    imatrix: "void*",
    kv_overrides: "void*",
    tt_overrides: "void*",
    prune_layers: "void*",
    max_buf_size: "size_t",
  });
  const defaults = llama.func("chorus_gguf_quantize_params llama_model_quantize_default_params()");
  const quantizeModel = llama.func(
    "uint32 llama_model_quantize(const char *, const char *, const chorus_gguf_quantize_params *)",
  );
  const silent = koffi.register(
    () => {},
    koffi.pointer(koffi.proto("void chorus_gguf_log(int, const char *, void *)")),
  );
  llama.func("void llama_log_set(chorus_gguf_log *, void *)")(silent, null);

  const base = join(dir, "base.gguf");
  await writeRandomModel(base, {
    embeddingLength: 256,
    blockCount: 1,
    feedForwardLength: 256,
    headCount: 4,
    headCountKv: 4,
    vocabSize: 300,
    chatml: false,
  });
  const original = await openGguf(base);
  const weights = await original.readTensor("blk.0.ffn_up.weight");
  await original.close();
  // llama_ftype values and the largest relative RMS error each type should show
  const cases = [
    { ftype: 7, type: "Q8_0", maxError: 0.01 },
    { ftype: 2, type: "Q4_0", maxError: 0.12 },
    { ftype: 15, type: "Q4_K", maxError: 0.1 },
    { ftype: 17, type: "Q5_K", maxError: 0.05 },
    { ftype: 18, type: "Q6_K", maxError: 0.03 },
  ] as const;
  for (const { ftype, type, maxError } of cases) {
    const out = join(dir, `${type}.gguf`);
    const rc = quantizeModel(base, out, { ...defaults(), ftype, nthread: 1, pure: true });
    assert.equal(rc, 0, `llama_model_quantize to ${type}`);
    const file = await openGguf(out);
    try {
      const info = file.tensor("blk.0.ffn_up.weight");
      assert.equal(info.type, type);
      const decoded = await file.readTensor(info);
      let error = 0;
      let norm = 0;
      for (let i = 0; i < weights.length; i++) {
        error += (decoded[i]! - weights[i]!) ** 2;
        norm += weights[i]! ** 2;
      }
      const relative = Math.sqrt(error / norm);
      assert.ok(relative < maxError, `${type}: relative RMS error ${relative}`);
      if (type === "Q8_0" || type === "Q4_0") {
        assert.deepEqual(quantize(type, weights), await file.readTensorBytes(info));
      }
    } finally {
      await file.close();
    }
  }
});
