export {
  getLlamaRuntime,
  type LlamaCppModelOptions,
  loadLlamaCppModel,
} from "./engines/llamacpp/index.ts";
export { createOpenAIModel, type OpenAIModelOptions } from "./engines/openai/index.ts";
export * from "./evals/index.ts";
export * from "./gguf/index.ts";
export { deriveSeed, hashString, SeededRandom } from "./math/seeded-random.ts";
export * from "./methods/adacad/index.ts";
export * from "./methods/dataenvgym/index.ts";
export * from "./methods/magicore/index.ts";
export * from "./methods/mamm-refine/index.ts";
export * from "./methods/mat-steer/index.ts";
export * from "./methods/pbt/index.ts";
export * from "./methods/symbolic-moe/index.ts";
export * from "./methods/upcore/index.ts";
export * from "./methods/utgen/index.ts";
export * from "./model/index.ts";
export * from "./model-files/index.ts";
export * from "./runtime/index.ts";
export * from "./sandbox/index.ts";
export * from "./scoring/faithfulness/index.ts";
export * from "./scoring/index.ts";
export * from "./server/index.ts";
export * from "./train/index.ts";
