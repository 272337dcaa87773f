import type { Decoder } from "./decoder.ts";
import type { Internals } from "./internals.ts";
import type { ActiveLora, LoraSpec } from "./lora.ts";
import type {
  PromptInput,
  PromptLogprobs,
  PromptLogprobsRequest,
  PromptTokens,
} from "./prompt-tokens.ts";

export type Role = "system" | "user" | "assistant";

export interface ChatMessage {
  role: Role;
  content: string;
}

/**
 * One generation request. Exactly one of `messages` (chat-templated by the engine) or `prompt`
 * (raw text, no template) is given.
 */
export interface GenerateRequest {
  messages?: ChatMessage[];
  prompt?: string;
  /** Text the assistant turn starts with; the returned text does not repeat it. */
  prefill?: string;
  /** Number of samples (default 1). */
  n?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  maxTokens?: number;
  /**
   * At least this many new tokens (vLLM's `min_tokens`; needs `capabilities.minTokens`, else a
   * CapabilityError). Until that many tokens exist, end-of-sequence and the model's other
   * end-of-generation tokens cannot be sampled (their logit is -inf), and `stop` strings are not
   * matched in the text of those first tokens: a stop string only ends the output when it ends
   * after that text (vLLM's rule). `maxTokens` still cuts. 0 or absent: no minimum.
   */
  minTokens?: number;
  stop?: string[];
  seed?: number;
  /** Constrain the output to this JSON schema (grammar on llama.cpp, response_format on servers). */
  jsonSchema?: Record<string, unknown>;
  /** Return per-token logprobs with this many alternatives (0 = the chosen token only). */
  logprobs?: number;
  /**
   * Keeps related calls together: engines with several replicas send calls with one key to one
   * replica, and pass it to a router as a header (`x-smg-routing-key`), so a server's prefix
   * cache serves an item's later calls. Not part of the call's identity (the cache ignores it).
   * Default, for models from a pool: the id of the run item being processed.
   */
  routingKey?: string;
  signal?: AbortSignal;
  /**
   * Streaming: called with each new piece of sample `index`'s text as it is generated. Only text
   * that stays in the final result is passed (held back while it may still become a stop string),
   * so the pieces of a sample concatenate to a prefix of its final `text`. Engines that cannot
   * stream never call it; the result is the same either way.
   */
  onText?: (index: number, text: string) => void;
}

export interface TopLogprob {
  token: string;
  logprob: number;
}

/** Normalized per-position logprob, the same shape whatever the engine. Natural log. */
export interface TokenLogprob {
  token: string;
  logprob: number;
  top: TopLogprob[];
}

export type FinishReason = "stop" | "length" | "other";

export interface Generation {
  text: string;
  finishReason: FinishReason;
  logprobs?: TokenLogprob[];
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
}

/** How a result was obtained: filled by engines and middleware (cache, retry). */
export interface CallMeta {
  cached?: boolean;
  retries?: number;
  latencyMs?: number;
}

export interface GenerateResult {
  generations: Generation[];
  usage: Usage;
  meta?: CallMeta;
}

/** Teacher-forced log-probs of `continuation` after `prompt` (messages are chat-templated). */
export interface ScoreRequest {
  prompt: string | ChatMessage[];
  continuation: string;
  /** Alternatives per position (default 0). */
  topLogprobs?: number;
  /**
   * Keeps related calls together: engines with several replicas send calls with one key to one
   * replica, and pass it to a router as a header (`x-smg-routing-key`), so a server's prefix
   * cache serves an item's later calls. Not part of the call's identity (the cache ignores it).
   * Default, for models from a pool: the id of the run item being processed.
   */
  routingKey?: string;
  signal?: AbortSignal;
}

export interface ScoreResult {
  tokens: TokenLogprob[];
  /** Sum of the continuation's token logprobs. */
  total: number;
  usage: Usage;
  meta?: CallMeta;
}

/** What an engine can do, as data, so methods can check before they start. */
export interface Capabilities {
  /** "full": the whole vocabulary is reachable; "top-k": only `maxTopLogprobs` alternatives. */
  logprobs: "full" | "top-k" | "none";
  maxTopLogprobs: number;
  score: boolean;
  /** Several samples in one call. */
  n: boolean;
  seed: boolean;
  jsonSchema: boolean;
  /** Raw prompts without a chat template. */
  rawPrompt: boolean;
  /** Stepwise decoding with raw next-token logits (`decoder()`). */
  decoder: boolean;
  /** Hidden states and residual-stream interventions (`internals`). */
  internals: boolean;
  /** Serving LoRA adapters. */
  lora: boolean;
  /** `minTokens` in generate requests is honoured exactly (end-of-generation masked). */
  minTokens: boolean;
}

/** The one thing every method speaks to. Engines implement it; methods never import engines. */
export interface LanguageModel {
  /** Name in the pool (or the path/URL it came from). */
  readonly id: string;
  /** Engine name, e.g. "llamacpp", "openai", "scripted". */
  readonly provider: string;
  readonly capabilities: Capabilities;
  generate(request: GenerateRequest): Promise<GenerateResult>;
  score?(request: ScoreRequest): Promise<ScoreResult>;
  /** Token ids of a prompt as generation evaluates it (engines that own a tokenizer). */
  tokenize?(input: PromptInput): Promise<PromptTokens>;
  /** Logprobs of every prompt token with ids and ranks (what vLLM's `prompt_logprobs` reports). */
  promptLogprobs?(request: PromptLogprobsRequest): Promise<PromptLogprobs>;
  decoder?(): Decoder;
  readonly internals?: Internals;
  /**
   * The LoRA adapters served now, with content hashes (engines that can swap them: `setLora`).
   * Part of the cache identity: a cached answer is never served under other adapters.
   */
  readonly lora?: readonly ActiveLora[];
  /**
   * Replaces the served LoRA adapters (`[]` serves the base model) without reloading the weights.
   * Calls that started before the switch (reported by `lora`) finish with the old adapters; calls
   * started after it use the new ones, so every call started after the promise resolves does.
   */
  setLora?(adapters: readonly LoraSpec[]): Promise<void>;
  /** Free native memory, sockets, workers. Safe to call twice. */
  close?(): Promise<void>;
}
