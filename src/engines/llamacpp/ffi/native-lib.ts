import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import koffi, { type IKoffiCType, type IKoffiLib } from "koffi";
import { LlamaCppFfiError } from "./ffi-error.ts";

/**
 * The node-llama-cpp release whose shipped libllama the struct layouts below were taken from
 * (its bundled `include/llama.h`). Any other version may have moved fields, so we refuse it.
 */
export const PINNED_NODE_LLAMA_CPP = "3.21.1";

/** Expected `sizeof` on x86-64, derived by hand from the bundled `llama.h` (see docs). */
export const EXPECTED_STRUCT_SIZES = {
  llama_model_params: 80,
  llama_context_params: 160,
  llama_batch: 56,
} as const;

/** A native function as koffi exposes it: callable, plus a callback-style `async`. */
export type NativeFn = ((...args: unknown[]) => unknown) & {
  async: (...args: unknown[]) => void;
};

/** The loaded libraries, their functions and the struct types, verified against the pinned build. */
export interface NativeLib {
  readonly binDir: string;
  readonly llama: IKoffiLib;
  readonly ggmlBase: IKoffiLib;
  readonly types: {
    modelParams: IKoffiCType;
    contextParams: IKoffiCType;
    batch: IKoffiCType;
    evalCallback: IKoffiCType;
  };
  readonly fn: Record<LlamaFnName, NativeFn>;
}

const llamaSignatures = {
  llama_backend_init: "void llama_backend_init()",
  llama_model_default_params: "llama_model_params llama_model_default_params()",
  llama_context_default_params: "llama_context_params llama_context_default_params()",
  llama_model_load_from_file:
    "void* llama_model_load_from_file(const char* path, llama_model_params params)",
  llama_model_free: "void llama_model_free(void* model)",
  llama_init_from_model: "void* llama_init_from_model(void* model, llama_context_params params)",
  llama_free: "void llama_free(void* ctx)",
  llama_model_get_vocab: "void* llama_model_get_vocab(void* model)",
  llama_model_n_embd: "int32 llama_model_n_embd(void* model)",
  llama_model_n_layer: "int32 llama_model_n_layer(void* model)",
  llama_vocab_n_tokens: "int32 llama_vocab_n_tokens(void* vocab)",
  llama_vocab_bos: "int32 llama_vocab_bos(void* vocab)",
  llama_vocab_get_add_bos: "bool llama_vocab_get_add_bos(void* vocab)",
  llama_vocab_is_eog: "bool llama_vocab_is_eog(void* vocab, int32 token)",
  llama_vocab_eos: "int32 llama_vocab_eos(void* vocab)",
  llama_vocab_eot: "int32 llama_vocab_eot(void* vocab)",
  llama_tokenize:
    "int32 llama_tokenize(void* vocab, const char* text, int32 text_len, _Out_ int32* tokens, int32 n_tokens_max, bool add_special, bool parse_special)",
  llama_token_to_piece:
    "int32 llama_token_to_piece(void* vocab, int32 token, _Out_ uint8* buf, int32 length, int32 lstrip, bool special)",
  llama_detokenize:
    "int32 llama_detokenize(void* vocab, const int32* tokens, int32 n_tokens, _Out_ uint8* text, int32 text_len_max, bool remove_special, bool unparse_special)",
  llama_n_ctx: "uint32 llama_n_ctx(void* ctx)",
  llama_batch_init: "llama_batch llama_batch_init(int32 n_tokens, int32 embd, int32 n_seq_max)",
  llama_batch_free: "void llama_batch_free(llama_batch batch)",
  llama_decode: "int32 llama_decode(void* ctx, llama_batch batch)",
  llama_get_logits_ith: "float* llama_get_logits_ith(void* ctx, int32 i)",
  llama_get_memory: "void* llama_get_memory(void* ctx)",
  llama_memory_clear: "void llama_memory_clear(void* mem, bool data)",
  llama_memory_seq_rm: "bool llama_memory_seq_rm(void* mem, int32 seq_id, int32 p0, int32 p1)",
  llama_set_n_threads:
    "void llama_set_n_threads(void* ctx, int32 n_threads, int32 n_threads_batch)",
  llama_set_adapter_cvec:
    "int32 llama_set_adapter_cvec(void* ctx, const float* data, size_t len, int32 n_embd, int32 il_start, int32 il_end)",
  llama_adapter_lora_init: "void* llama_adapter_lora_init(void* model, const char* path)",
  llama_adapter_lora_free: "void llama_adapter_lora_free(void* adapter)",
  llama_set_adapters_lora:
    "int32 llama_set_adapters_lora(void* ctx, void** adapters, size_t n_adapters, float* scales)",
} as const;

const ggmlBaseSignatures = {
  ggml_get_name: "const char* ggml_get_name(void* tensor)",
  ggml_get_data: "void* ggml_get_data(void* tensor)",
  ggml_nelements: "int64 ggml_nelements(void* tensor)",
} as const;

const ggmlSignatures = {
  ggml_backend_dev_count: "size_t ggml_backend_dev_count()",
  ggml_backend_load_all_from_path: "void ggml_backend_load_all_from_path(const char* dir)",
} as const;

export type LlamaFnName =
  | keyof typeof llamaSignatures
  | keyof typeof ggmlBaseSignatures
  | keyof typeof ggmlSignatures;

let cached: NativeLib | LlamaCppFfiError | undefined;

/**
 * Loads the CPU libllama that `@node-llama-cpp/linux-x64` ships, declares the pinned struct layouts
 * and verifies them. Memoized: the verdict (library or error) is computed once per process.
 * Throws LlamaCppFfiError with the reason and the fix when the FFI path cannot be used.
 */
export function getNativeLib(): NativeLib {
  if (cached === undefined) {
    try {
      cached = loadNativeLib();
    } catch (error) {
      cached =
        error instanceof LlamaCppFfiError
          ? error
          : new LlamaCppFfiError(`could not load libllama through koffi: ${String(error)}`);
    }
  }
  if (cached instanceof LlamaCppFfiError) throw cached;
  return cached;
}

/** Whether the FFI path can be used here, without throwing. */
export function nativeLibAvailable(): boolean {
  try {
    getNativeLib();
    return true;
  } catch {
    return false;
  }
}

function loadNativeLib(): NativeLib {
  if (process.platform !== "linux" || process.arch !== "x64") {
    throw new LlamaCppFfiError(
      `the raw-logits/internals layer supports linux-x64 only (this is ${process.platform}-${process.arch}); ` +
        "generation still works through node-llama-cpp",
    );
  }
  const require = createRequire(import.meta.url);
  const nlcPackage = findPackageJson(require, "node-llama-cpp");
  const version = (JSON.parse(readFileSync(nlcPackage, "utf8")) as { version: string }).version;
  if (version !== PINNED_NODE_LLAMA_CPP) {
    throw new LlamaCppFfiError(
      `node-llama-cpp ${version} is installed but the FFI struct layouts were verified for ${PINNED_NODE_LLAMA_CPP}; ` +
        `install it exactly (npm i -E node-llama-cpp@${PINNED_NODE_LLAMA_CPP}) or re-derive the layouts in src/engines/llamacpp/ffi/native-lib.ts`,
    );
  }
  const binDir = resolveBinDir(nlcPackage);
  const llama = koffi.load(join(binDir, "libllama.v0.4.0.so"));
  const ggmlBase = koffi.load(join(binDir, "libggml-base.so"));
  const ggml = koffi.load(join(binDir, "libggml.v0.4.0.so"));

  const types = declareTypes();
  const fn = {} as Record<LlamaFnName, NativeFn>;
  for (const [name, sig] of Object.entries(llamaSignatures))
    fn[name as LlamaFnName] = llama.func(sig) as NativeFn;
  for (const [name, sig] of Object.entries(ggmlBaseSignatures))
    fn[name as LlamaFnName] = ggmlBase.func(sig) as NativeFn;
  for (const [name, sig] of Object.entries(ggmlSignatures))
    fn[name as LlamaFnName] = ggml.func(sig) as NativeFn;

  const lib: NativeLib = { binDir, llama, ggmlBase, types, fn };
  verifyLayouts(lib);
  // node-llama-cpp's addon links these same files, so when it has already registered the CPU
  // backend plugins we must not register them twice; standing alone we load them ourselves.
  if (Number(fn.ggml_backend_dev_count()) === 0) fn.ggml_backend_load_all_from_path(binDir);
  if (Number(fn.ggml_backend_dev_count()) === 0) {
    throw new LlamaCppFfiError(`no ggml backend could be loaded from ${binDir}`);
  }
  fn.llama_backend_init();
  return lib;
}

function findPackageJson(require: NodeJS.Require, name: string): string {
  // node-llama-cpp's exports map hides package.json, so walk up from its entry point.
  let dir = dirname(require.resolve(name));
  for (let i = 0; i < 6; i++) {
    try {
      const file = join(dir, "package.json");
      const pkg = JSON.parse(readFileSync(file, "utf8")) as { name?: string };
      if (pkg.name === name) return file;
    } catch {
      // not here; keep walking
    }
    dir = dirname(dir);
  }
  throw new LlamaCppFfiError(`could not find the package.json of ${name}; is it installed?`);
}

function resolveBinDir(nlcPackage: string): string {
  const fromNlc = createRequire(nlcPackage);
  let entry: string;
  try {
    entry = fromNlc.resolve("@node-llama-cpp/linux-x64");
  } catch {
    throw new LlamaCppFfiError(
      "the prebuilt CPU binaries (@node-llama-cpp/linux-x64) are not installed; run npm ci without --omit=optional",
    );
  }
  // dist/index.js -> ../bins/linux-x64 (the layout of that package's own getBinsDir()).
  return join(dirname(entry), "..", "bins", "linux-x64");
}

function declareTypes(): NativeLib["types"] {
  // Type names are global in koffi; reuse them if another copy of this module declared them.
  const existing = (name: string): IKoffiCType | undefined => {
    try {
      return koffi.resolve(name);
    } catch {
      return undefined;
    }
  };
  const modelParams =
    existing("llama_model_params") ??
    koffi.struct("llama_model_params", {
      devices: "void*",
      tensor_buft_overrides: "void*",
      n_gpu_layers: "int32",
      split_mode: "int32",
      load_mode: "int32",
      lazy_mode: "int32",
      main_gpu: "int32",
      tensor_split: "void*",
      progress_callback: "void*",
      progress_callback_user_data: "void*",
      kv_overrides: "void*",
      vocab_only: "bool",
      check_tensors: "bool",
      use_extra_bufts: "bool",
      no_host: "bool",
      no_alloc: "bool",
      load_mtp: "bool",
    });
  const contextParams =
    existing("llama_context_params") ??
    koffi.struct("llama_context_params", {
      n_ctx: "uint32",
      n_batch: "uint32",
      n_ubatch: "uint32",
      n_seq_max: "uint32",
      n_rs_seq: "uint32",
      n_outputs_max: "uint32",
      n_outputs_max_per_seq: "uint32",
      n_threads: "int32",
      n_threads_batch: "int32",
      ctx_type: "int32",
      rope_scaling_type: "int32",
      pooling_type: "int32",
      attention_type: "int32",
      flash_attn_type: "int32",
      rope_freq_base: "float",
      rope_freq_scale: "float",
      yarn_ext_factor: "float",
      yarn_attn_factor: "float",
      yarn_beta_fast: "float",
      yarn_beta_slow: "float",
      yarn_orig_ctx: "uint32",
      defrag_thold: "float",
      cb_eval: "void*",
      cb_eval_user_data: "void*",
      type_k: "int32",
      type_v: "int32",
      abort_callback: "void*",
      abort_callback_data: "void*",
      embeddings: "bool",
      offload_kqv: "bool",
      no_perf: "bool",
      op_offload: "bool",
      swa_full: "bool",
      kv_unified: "bool",
      samplers: "void*",
      n_samplers: "size_t",
      ctx_other: "void*",
    });
  const batch =
    existing("llama_batch") ??
    koffi.struct("llama_batch", {
      n_tokens: "int32",
      token: "void*",
      embd: "void*",
      pos: "void*",
      n_seq_id: "void*",
      seq_id: "void*",
      logits: "void*",
    });
  const evalCallback =
    existing("ggml_eval_cb") ?? koffi.proto("bool ggml_eval_cb(void* t, bool ask, void* ud)");
  return { modelParams, contextParams, batch, evalCallback };
}

/**
 * A wrong layout would not fail loudly: llama.cpp would read garbage params. So compare sizes with
 * the header-derived values and check that the defaults the library returns decode to the known
 * values of this build (a shifted field shows up as an implausible default).
 */
function verifyLayouts(lib: NativeLib): void {
  const problems: string[] = [];
  const sizes: Record<keyof typeof EXPECTED_STRUCT_SIZES, IKoffiCType> = {
    llama_model_params: lib.types.modelParams,
    llama_context_params: lib.types.contextParams,
    llama_batch: lib.types.batch,
  };
  for (const [name, type] of Object.entries(sizes)) {
    const expected = EXPECTED_STRUCT_SIZES[name as keyof typeof EXPECTED_STRUCT_SIZES];
    const got = koffi.sizeof(type);
    if (got !== expected) problems.push(`sizeof(${name}) is ${got}, expected ${expected}`);
  }
  const cp = lib.fn.llama_context_default_params() as Record<string, unknown>;
  const expectCp: Record<string, unknown> = {
    n_ctx: 512,
    n_batch: 2048,
    n_ubatch: 512,
    n_seq_max: 1,
    n_outputs_max_per_seq: 1,
    yarn_ext_factor: -1,
    defrag_thold: -1,
    type_k: 1,
    type_v: 1,
    embeddings: false,
    offload_kqv: true,
    swa_full: true,
    kv_unified: false,
    n_samplers: 0,
  };
  for (const [field, value] of Object.entries(expectCp)) {
    if (Number(cp[field]) !== Number(value))
      problems.push(
        `llama_context_default_params().${field} = ${String(cp[field])}, expected ${value}`,
      );
  }
  const mp = lib.fn.llama_model_default_params() as Record<string, unknown>;
  const expectMp: Record<string, unknown> = {
    n_gpu_layers: -1,
    main_gpu: 0,
    vocab_only: false,
    use_extra_bufts: true,
    load_mtp: false,
  };
  for (const [field, value] of Object.entries(expectMp)) {
    if (Number(mp[field]) !== Number(value))
      problems.push(
        `llama_model_default_params().${field} = ${String(mp[field])}, expected ${value}`,
      );
  }
  if (problems.length > 0) {
    throw new LlamaCppFfiError(
      `the libllama in ${lib.binDir} does not match the struct layouts of node-llama-cpp ${PINNED_NODE_LLAMA_CPP}: ` +
        `${problems.join("; ")}. Reinstall node-llama-cpp@${PINNED_NODE_LLAMA_CPP} exactly, or re-derive the layouts from its bundled llama.h`,
    );
  }
}
