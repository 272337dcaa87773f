export type { Decoder, DecoderStream } from "./decoder.ts";
export * from "./errors.ts";
export type {
  ControlVector,
  HiddenStates,
  HookSite,
  Internals,
  InternalsGenerateRequest,
  Intervention,
  PositionSelector,
} from "./internals.ts";
export type {
  CallMeta,
  Capabilities,
  ChatMessage,
  FinishReason,
  GenerateRequest,
  GenerateResult,
  Generation,
  LanguageModel,
  Role,
  ScoreRequest,
  ScoreResult,
  TokenLogprob,
  TopLogprob,
  Usage,
} from "./language-model.ts";
export type { ActiveLora, LoraSpec } from "./lora.ts";
export type {
  PromptInput,
  PromptLogprobs,
  PromptLogprobsRequest,
  PromptTokens,
  RankedLogprob,
} from "./prompt-tokens.ts";
export {
  requireCapability,
  requireDecoder,
  requireInternals,
  requireScore,
} from "./require-capability.ts";
