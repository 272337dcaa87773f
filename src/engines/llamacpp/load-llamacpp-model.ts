import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import type { LlamaContext, LlamaModel } from "node-llama-cpp";
import { openGguf } from "../../gguf/index.ts";
import { ConfigError, DataError } from "../../model/errors.ts";
import { chatWrapperFor } from "./chat-prompt.ts";
import { NativeEngine } from "./ffi/native-engine.ts";
import { getNativeLib } from "./ffi/native-lib.ts";
import { getLlamaRuntime } from "./llama-runtime.ts";
import { LlamaCppModel } from "./llamacpp-model.ts";
import { type BaseModelShape, baseModelShape, checkLoraAdapter } from "./lora-adapter-file.ts";
import { LoraSwitch } from "./lora-switch.ts";
import { NodeGenerator } from "./node-generator.ts";
import { NodeLoraAdapters } from "./node-lora.ts";

/** Options of loadLlamaCppModel. */
export interface LlamaCppModelOptions {
  /** Path of the GGUF file. */
  modelPath: string;
  /** Name of the model in a pool (default: the path). */
  id?: string;
  /** Tokens per context (default: the model's training context, at most 4096). */
  contextSize?: number;
  /**
   * Threads per decoding context (default 1: on small CPUs one thread per context decodes fastest
   * and leaves the other cores to parallel contexts). Prompt batches on the FFI path use up to 2.
   */
  threads?: number;
  /** Contexts generating side by side (default: cores / threads, at least 1). */
  parallel?: number;
  /**
   * Reuse the KV cache of a context's previous prompt's common prefix in `generate` (default
   * true: faster). false evaluates every prompt from an empty cache, so a seeded request returns
   * the same text whichever context serves it and whatever ran before: bit-reproducible
   * generation under parallel requests, at the cost of re-evaluating each prompt.
   */
  reusePrefix?: boolean;
  /** "auto" (default): a GPU when a prebuilt GPU binary works here, else the CPU. */
  gpu?: "auto" | boolean;
  /**
   * LoRA adapters (GGUF) applied to generation, scoring, decoder and internals alike; swap them
   * later without reloading with `model.setLora`.
   */
  lora?: { path: string; scale?: number }[];
  /** Default sampling seed for requests without one (default: random per request). */
  seed?: number;
  /**
   * Use the FFI layer (default true where it works): raw logits, decoder, internals, fast scoring.
   * false saves its second copy of the weights; score and logprobs then use node-llama-cpp's
   * probability maps (2-2.5x slower) and decoder/internals are unavailable.
   */
  ffi?: boolean;
}

/**
 * Loads a GGUF model in-process with llama.cpp. The file's header is checked first, so a
 * truncated or foreign file gives a DataError naming it instead of a native failure.
 *
 * @example
 * const model = await loadLlamaCppModel({ modelPath: "../shared/models/stories260K.gguf" });
 * const { generations } = await model.generate({ prompt: "Once upon a time", maxTokens: 32 });
 * await model.close?.();
 */
export async function loadLlamaCppModel(options: LlamaCppModelOptions): Promise<LlamaCppModel> {
  const modelPath = resolve(options.modelPath);
  const { vocabSize, shape } = await checkGguf(modelPath);
  const threads = options.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1)
    throw new ConfigError(`threads must be a positive integer, got ${threads}`, "threads");
  // Adapter files are checked before the weights load (the switch checks them again, cheaply).
  const lora = options.lora ?? [];
  for (const adapter of lora) await checkLoraAdapter(adapter, shape);

  const runtime = await getLlamaRuntime(options.gpu ?? "auto");
  let model: LlamaModel;
  try {
    model = await runtime.llama.loadModel({
      modelPath,
      ...(runtime.gpu === false ? { gpuLayers: 0 } : {}),
    });
  } catch (error) {
    throw new DataError(
      `llama.cpp could not load the model (${error instanceof Error ? error.message : String(error)}); check that the file is a complete GGUF of an architecture llama.cpp supports`,
      { file: modelPath },
    );
  }
  const trainContext = model.trainContextSize;
  const contextSize = options.contextSize ?? Math.min(trainContext, 4096);
  const parallel = options.parallel ?? Math.max(1, Math.floor(availableParallelism() / threads));
  const createContext = async (): Promise<LlamaContext> => {
    try {
      return await model.createContext({
        contextSize,
        sequences: 1,
        threads,
        batchSize: Math.min(512, contextSize),
      });
    } catch (error) {
      throw new ConfigError(
        `could not create a llama.cpp context (${String(error)}); try a smaller contextSize or check the LoRA adapters`,
        "contextSize",
      );
    }
  };
  const nodeLora = new NodeLoraAdapters(model);
  const generator = new NodeGenerator(
    model,
    createContext,
    parallel,
    nodeLora,
    options.reusePrefix ?? true,
  );

  // The FFI layer only runs the CPU libllama; with a GPU runtime it would be a second, CPU-only
  // copy of the model, so it is offered only when generation runs on the CPU too.
  let nativeUnavailableReason: string | undefined;
  if (options.ffi === false) {
    nativeUnavailableReason = "disabled by the ffi: false option";
  } else if (runtime.gpu !== false) {
    nativeUnavailableReason = `the model runs on ${runtime.gpu}; raw logits and internals need the CPU build (load with gpu: false)`;
  } else {
    try {
      getNativeLib();
    } catch (error) {
      nativeUnavailableReason = error instanceof Error ? error.message : String(error);
    }
  }
  let native: NativeEngine | undefined;
  const loraSwitch = new LoraSwitch({
    base: shape,
    node: nodeLora,
    generator,
    native: () => native,
  });
  const nativeEngine = (): NativeEngine => {
    native ??= NativeEngine.load(modelPath, {
      contextSize,
      batchSize: Math.min(512, contextSize),
      threads,
      threadsBatch: batchThreads(threads),
      lora: loraSwitch.applied,
    });
    return native;
  };

  if (lora.length > 0) {
    try {
      await loraSwitch.set(lora);
      // Surface a bad adapter now rather than at the first request.
      await generator.sample(model.tokenize("a"), { temperature: 0, maxTokens: 1, stops: [] });
    } catch (error) {
      await generator.close();
      await model.dispose();
      throw error;
    }
  }

  const { wrapper } = chatWrapperFor(model);
  return new LlamaCppModel(
    {
      id: options.id ?? options.modelPath,
      llama: runtime.llama,
      model,
      chatWrapper: wrapper,
      generator,
      native: nativeEngine,
      nativeAvailable: nativeUnavailableReason === undefined,
      ...(nativeUnavailableReason !== undefined ? { nativeUnavailableReason } : {}),
      ...(options.seed !== undefined ? { defaultSeed: options.seed } : {}),
      vocabSize,
      lora: loraSwitch,
    },
    async () => {
      await generator.close();
      await native?.close();
      await model.dispose();
    },
  );
}

/**
 * Threads for prompt batches on the FFI path. On a quiet 2-core machine 2 threads prefill 1.5-1.8x
 * faster at 576d and wider, but tiny graphs collapse with 2 (ggml's spin barriers: 22k -> 254 tok/s
 * at 64d), and on a shared machine the spinning thread burned ~8x the CPU per token (bench run at
 * load 15). So prompt batches use `threads` unless CHORUS_LLAMA_BATCH_THREADS says otherwise.
 */
function batchThreads(threads: number): number {
  const env = Number(process.env.CHORUS_LLAMA_BATCH_THREADS);
  if (Number.isInteger(env) && env > 0) return env;
  return threads;
}

/** Parses the GGUF header with our reader; returns the vocabulary size and the tensor shapes. */
async function checkGguf(
  path: string,
  what = "model",
): Promise<{ vocabSize: number; shape: BaseModelShape }> {
  let file: Awaited<ReturnType<typeof openGguf>>;
  try {
    file = await openGguf(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT")
      throw new ConfigError(`${what} file not found: ${path}`, "modelPath");
    if (error instanceof DataError) throw error;
    throw new DataError(`not a readable GGUF ${what}: ${String(error)}`, { file: path });
  }
  try {
    const tokens = file.metadata.get("tokenizer.ggml.tokens");
    return {
      vocabSize: tokens && tokens.type === "array" ? tokens.items.length : 0,
      shape: baseModelShape(file),
    };
  } finally {
    await file.close();
  }
}
