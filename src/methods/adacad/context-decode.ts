import { CapabilityError } from "../../model/errors.ts";
import type { LanguageModel } from "../../model/language-model.ts";
import { requireDecoder } from "../../model/require-capability.ts";
import type {
  ContextDecodeRequest,
  ContextDecodeResult,
  ContextDecoding,
} from "./context-decoding.ts";
import { decodeWithLogits } from "./decode-with-logits.ts";
import { decodeWithTopLogprobs, type TopLogprobsOptions } from "./decode-with-top-logprobs.ts";

/**
 * Generates from a context with AdaCAD, CAD or plain greedy: the decoding strategy any method can
 * call when it generates from a grounding context. Uses the exact full-vocabulary path when the
 * model has a stepwise decoder (llama.cpp), else the top-k logprob approximation (OpenAI-compatible
 * servers; results say `approximate: true`).
 * @example
 * const { text, steps } = await contextDecode(model, qaPrompts(passage, question), { kind: "adacad" });
 */
export async function contextDecode(
  model: LanguageModel,
  request: ContextDecodeRequest,
  decoding: ContextDecoding = { kind: "adacad" },
  options: TopLogprobsOptions & { approximate?: "auto" | "never" | "always" } = {},
): Promise<ContextDecodeResult> {
  const mode = options.approximate ?? "auto";
  if (mode !== "always" && model.capabilities.decoder && model.decoder) {
    const decoder = requireDecoder(model);
    try {
      return await decodeWithLogits(decoder, request, decoding);
    } finally {
      await decoder.close();
    }
  }
  if (mode !== "never" && model.capabilities.logprobs !== "none") {
    return decodeWithTopLogprobs(model, request, decoding, options);
  }
  throw new CapabilityError(model.id, mode === "never" ? "decoder" : "decoder or logprobs", [
    "llamacpp (exact)",
    "openai with a logprobs-capable server (approximate)",
  ]);
}
