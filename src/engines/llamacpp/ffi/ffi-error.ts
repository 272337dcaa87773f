import { ChorusError } from "../../../model/errors.ts";

/**
 * The raw-logits/internals layer (koffi on the shipped libllama) cannot be used here: wrong platform,
 * another node-llama-cpp version, or struct layouts that do not match. The message names the fix.
 */
export class LlamaCppFfiError extends ChorusError {
  override name = "LlamaCppFfiError";
}
