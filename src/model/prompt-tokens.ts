import type { ChatMessage, TopLogprob, Usage } from "./language-model.ts";

/**
 * A prompt as the engine evaluates it for generation: raw text, or `messages` rendered by the
 * model's chat format with an open assistant turn that starts with `prefill`. Exactly one of
 * `prompt` and `messages` is given.
 */
export interface PromptInput {
  prompt?: string;
  messages?: ChatMessage[];
  prefill?: string;
  /** Raw text only: add the special tokens (BOS) generation adds (default true). */
  special?: boolean;
}

/** The prompt's token ids and each token's text. */
export interface PromptTokens {
  ids: number[];
  tokens: string[];
}

/** One prompt position's logprob, with token ids: vLLM's `prompt_logprobs` entries need them. */
export interface RankedLogprob {
  id: number;
  token: string;
  logprob: number;
  /** 1 + how many vocabulary tokens were more likely (vLLM's `rank`). */
  rank: number;
  top: (TopLogprob & { id: number })[];
}

export interface PromptLogprobsRequest extends PromptInput {
  /** Alternatives per position (default 0). */
  topLogprobs?: number;
  signal?: AbortSignal;
}

/**
 * Teacher-forced logprobs of every prompt token given the ones before it. `positions[0]` is null
 * (nothing predicts the first token), as in vLLM's `prompt_logprobs`.
 */
export interface PromptLogprobs {
  ids: number[];
  positions: (RankedLogprob | null)[];
  usage: Usage;
}
