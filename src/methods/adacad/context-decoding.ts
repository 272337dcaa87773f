/**
 * How to decode when a prompt exists in two versions, with and without its grounding context.
 * - `adacad`: α_t = JSD of the two next-token distributions every step (raised to `alphaFloor`).
 * - `cad`: the same combination with a fixed α (1 for QA, 0.5 for summaries in the paper's runs).
 * - `greedy`: the context stream alone (the plain baseline; the no-context prompt is not run).
 */
export type ContextDecoding =
  | { kind: "adacad"; alphaFloor?: number; topP?: number; seed?: number }
  | { kind: "cad"; alpha: number; topP?: number; seed?: number }
  | { kind: "greedy" };

/** One generation request for context-aware decoding. */
export interface ContextDecodeRequest {
  /** Context + instruction + question: the stream whose answer should follow the context. */
  contextPrompt: string;
  /** Instruction + question only (the model's prior). */
  plainPrompt: string;
  /** Default 32 (the QA setting); summaries use 100. */
  maxTokens?: number;
  /**
   * Prompts longer than this (in tokens) are refused with PromptTooLongError, as the reference
   * skips them rather than truncating; callers count the skips.
   */
  maxPromptTokens?: number;
  signal?: AbortSignal;
}

/** One generated step: what was chosen, why, and what plain greedy would have chosen. */
export interface ContextDecodeStep {
  token: number;
  text: string;
  /** α used for the combination (after the floor; the fixed α for CAD; 0 for greedy). */
  alpha: number;
  /** The JSD before the floor (NaN for greedy, where no second stream runs). */
  jsd: number;
  /** argmax of the context stream alone at this prefix: where it differs, decoding intervened. */
  contextArgmax: number;
  /** Text of `contextArgmax` (the only form the top-k path knows; its ids are -1). */
  contextArgmaxText: string;
  /** argmax of the no-context stream at this prefix (-1 for greedy, which runs no such stream). */
  plainArgmax: number;
}

/** The result of a context-aware generation. */
export interface ContextDecodeResult {
  text: string;
  tokens: number[];
  steps: ContextDecodeStep[];
  finishReason: "stop" | "length";
  /** True when produced from top-k logprobs (an approximation of the full-vocabulary method). */
  approximate: boolean;
  /** Prompt token counts (context stream, plain stream). */
  promptTokens: { context: number; plain: number };
  /** Wall time of the prompt prefill(s) and of the token loop, in milliseconds. */
  timings?: { prefillMs: number; decodeMs: number };
}

/** Defaults from the reference scripts (QA): 32 new tokens, floor 0, greedy, seed 42. */
export const contextDecodingDefaults = {
  maxTokens: 32,
  alphaFloor: 0,
  topP: 0,
  seed: 42,
  cadAlpha: 1,
} as const;
