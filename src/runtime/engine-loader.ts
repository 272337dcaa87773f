import { ConfigError } from "../model/errors.ts";
import type { LanguageModel } from "../model/language-model.ts";
import type { ModelConfig } from "./config.ts";

/** Turns a resolved model entry into a loaded model; the pool's default calls the engines. */
export type ModelLoader = (request: {
  name: string;
  entry: ModelConfig;
  /** Local path of the GGUF (llamacpp), already resolved from a cached name or hf: ref. */
  file?: string;
}) => Promise<LanguageModel>;

/** Turns a model reference (path, cached name, hf: ref) into a local file path. */
export type ModelFileResolver = (ref: string, options: { cacheDir?: string }) => Promise<string>;

type LlamaCppEngineModule = typeof import("../engines/llamacpp/index.ts");
type OpenAIEngineModule = typeof import("../engines/openai/index.ts");

type ModelFilesModule = typeof import("../model-files/index.ts");

/**
 * Engines are imported when first used, so a runtime that only talks to servers never loads
 * llama.cpp's native addon (and the reverse). The imports are literal so that the compiled
 * package (docs/decisions/0003) rewrites them like any other; `module` names the file for the
 * message when a build of chorus leaves it out.
 */
async function importModule<T>(load: () => Promise<T>, module: string, what: string): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    // "Cannot find module '<missing>' imported from <importer>": the missing one must be ours
    if (code === "ERR_MODULE_NOT_FOUND" && message.split(" imported from ")[0]!.includes(module))
      throw new ConfigError(`${what} is not available in this build of chorus`);
    throw error;
  }
}

/** Loads llamacpp entries in-process and connects openai entries to their server. */
export const loadWithEngine: ModelLoader = async ({ name, entry, file }) => {
  if (entry.engine === "llamacpp") {
    const engine = await importModule<LlamaCppEngineModule>(
      () => import("../engines/llamacpp/index.ts"),
      "/engines/llamacpp/index.",
      "the llamacpp engine",
    );
    return engine.loadLlamaCppModel({
      modelPath: file ?? entry.file!,
      id: name,
      ...(entry.contextSize !== undefined ? { contextSize: entry.contextSize } : {}),
      ...(entry.threads !== undefined ? { threads: entry.threads } : {}),
      ...(entry.parallel !== undefined ? { parallel: entry.parallel } : {}),
      ...(entry.reusePrefix !== undefined ? { reusePrefix: entry.reusePrefix } : {}),
      ...(entry.gpu !== undefined ? { gpu: entry.gpu } : {}),
      ...(entry.lora !== undefined
        ? {
            lora: entry.lora.map((a) => ({
              path: a.path,
              ...(a.scale !== undefined ? { scale: a.scale } : {}),
            })),
          }
        : {}),
    });
  }
  const engine = await importModule<OpenAIEngineModule>(
    () => import("../engines/openai/index.ts"),
    "/engines/openai/index.",
    "the openai engine",
  );
  return engine.createOpenAIModel({
    baseURL: entry.baseURL!,
    model: entry.model!,
    id: name,
    ...(entry.apiKeyEnv !== undefined ? { apiKeyEnv: entry.apiKeyEnv } : {}),
    ...(entry.flavor !== undefined ? { flavor: entry.flavor } : {}),
    ...(entry.api !== undefined ? { api: entry.api } : {}),
    ...(entry.timeoutMs !== undefined ? { timeoutMs: entry.timeoutMs } : {}),
    ...(entry.maxRetries !== undefined ? { maxRetries: entry.maxRetries } : {}),
    ...(entry.concurrency !== undefined ? { concurrency: entry.concurrency } : {}),
    ...(entry.adaptive !== undefined ? { adaptive: entry.adaptive } : {}),
    ...(entry.balance !== undefined ? { balance: entry.balance } : {}),
    ...(entry.routingKeyHeader !== undefined ? { routingKeyHeader: entry.routingKeyHeader } : {}),
    ...(entry.overloadTimeoutMs !== undefined
      ? { overloadTimeoutMs: entry.overloadTimeoutMs }
      : {}),
  });
};

/** Resolves through the model-files layer (paths, cached names, hf: downloads). */
export const resolveWithModelFiles: ModelFileResolver = async (ref, options) => {
  const files = await importModule<ModelFilesModule>(
    () => import("../model-files/index.ts"),
    "/model-files/index.",
    "model file resolution",
  );
  return files.resolveModelFile(ref, options);
};
