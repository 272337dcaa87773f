import type { Decoder } from "./decoder.ts";
import { CapabilityError } from "./errors.ts";
import type { Internals } from "./internals.ts";
import type { Capabilities, LanguageModel, ScoreRequest, ScoreResult } from "./language-model.ts";

/** Engines that offer each capability, for the error message. */
const enginesWith: Record<keyof Capabilities, string[]> = {
  logprobs: ["llamacpp", "openai (server-dependent)"],
  maxTopLogprobs: ["llamacpp", "openai"],
  score: ["llamacpp", "openai (vLLM prompt_logprobs, completions echo)"],
  n: ["llamacpp", "openai"],
  seed: ["llamacpp", "openai"],
  jsonSchema: ["llamacpp", "openai (server-dependent)"],
  rawPrompt: ["llamacpp", "openai (completions endpoint)"],
  decoder: ["llamacpp"],
  internals: ["llamacpp"],
  lora: ["llamacpp"],
  minTokens: [
    "llamacpp",
    "openai (flavor vllm, or minTokens: true for servers that take min_tokens)",
  ],
};

/** Throws a CapabilityError naming the capability unless the model has it. */
export function requireCapability(model: LanguageModel, capability: keyof Capabilities): void {
  const value = model.capabilities[capability];
  const ok = capability === "logprobs" ? value !== "none" : Boolean(value);
  if (!ok) throw new CapabilityError(model.id, capability, enginesWith[capability]);
}

export function requireScore(
  model: LanguageModel,
): (request: ScoreRequest) => Promise<ScoreResult> {
  requireCapability(model, "score");
  if (!model.score) throw new CapabilityError(model.id, "score", enginesWith.score);
  return model.score.bind(model);
}

export function requireDecoder(model: LanguageModel): Decoder {
  requireCapability(model, "decoder");
  if (!model.decoder) throw new CapabilityError(model.id, "decoder", enginesWith.decoder);
  return model.decoder();
}

export function requireInternals(model: LanguageModel): Internals {
  requireCapability(model, "internals");
  if (!model.internals) throw new CapabilityError(model.id, "internals", enginesWith.internals);
  return model.internals;
}
