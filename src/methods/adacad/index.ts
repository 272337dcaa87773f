export { containsAnswer, exactMatch, normalizeAnswer } from "./answer-match.ts";
export { contextDecode } from "./context-decode.ts";
export {
  type ContextDecodeRequest,
  type ContextDecodeResult,
  type ContextDecodeStep,
  type ContextDecoding,
  contextDecodingDefaults,
} from "./context-decoding.ts";
export { type ContextPromptPair, qaPrompts, summaryPrompts } from "./context-prompts.ts";
export { contrastiveLogits, flooredAlpha } from "./contrastive-logits.ts";
export { decodeWithLogits } from "./decode-with-logits.ts";
export {
  type ApproximateDecodeResult,
  decodeWithTopLogprobs,
  defaultEndTokenTexts,
  type TopLogprobsOptions,
} from "./decode-with-top-logprobs.ts";
export { adacadMethod } from "./eval-method.ts";
export { jensenShannon, jensenShannonProbabilities, logSumExp } from "./jensen-shannon.ts";
export { PromptTooLongError } from "./prompt-too-long-error.ts";
export { type ApproximateStep, approximateStep, topKJensenShannon } from "./top-k-approximation.ts";
