import assert from "node:assert/strict";
import { test } from "node:test";
import koffi from "koffi";
import { getLlamaRuntime } from "../llama-runtime.ts";
import { EXPECTED_STRUCT_SIZES, getNativeLib } from "./native-lib.ts";

test("the FFI layer loads the shipped libllama and its struct layouts verify", async () => {
  // node-llama-cpp first, as the engine does, so llama.cpp's log goes through its logger.
  await getLlamaRuntime(false);
  const lib = getNativeLib();
  assert.equal(koffi.sizeof(lib.types.modelParams), EXPECTED_STRUCT_SIZES.llama_model_params);
  assert.equal(koffi.sizeof(lib.types.contextParams), EXPECTED_STRUCT_SIZES.llama_context_params);
  assert.equal(koffi.sizeof(lib.types.batch), EXPECTED_STRUCT_SIZES.llama_batch);
  // Offsets that only line up if every field before them has the right size and alignment.
  assert.equal(koffi.offsetof(lib.types.contextParams, "cb_eval"), 88);
  assert.equal(koffi.offsetof(lib.types.contextParams, "embeddings"), 128);
  assert.equal(koffi.offsetof(lib.types.modelParams, "vocab_only"), 72);
  const defaults = lib.fn.llama_context_default_params() as Record<string, number | boolean>;
  assert.equal(defaults.n_ctx, 512);
  assert.equal(defaults.n_batch, 2048);
  assert.equal(defaults.flash_attn_type, -1);
  assert.equal(getNativeLib(), lib); // memoized
});
