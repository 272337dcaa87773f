export { chatWrapperFor } from "./chat-prompt.ts";
export { LlamaCppFfiError } from "./ffi/ffi-error.ts";
export { type ContextHook, DecodeError, NativeContext } from "./ffi/native-context.ts";
export { NativeEngine } from "./ffi/native-engine.ts";
export {
  EXPECTED_STRUCT_SIZES,
  getNativeLib,
  type NativeLib,
  nativeLibAvailable,
  PINNED_NODE_LLAMA_CPP,
} from "./ffi/native-lib.ts";
export { NativeModel } from "./ffi/native-model.ts";
export { getLlamaRuntime, type LlamaRuntime } from "./llama-runtime.ts";
export { LlamaCppModel } from "./llamacpp-model.ts";
export { type LlamaCppModelOptions, loadLlamaCppModel } from "./load-llamacpp-model.ts";
