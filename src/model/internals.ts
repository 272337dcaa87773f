import type { GenerateRequest, GenerateResult } from "./language-model.ts";

/** Which token positions to capture: the last prompt token, every token, or explicit indices. */
export type PositionSelector = "last" | "all" | readonly number[];

/**
 * Where a capture or an intervention reads the model inside block `layer`:
 * - `"residual"` (the default): the residual stream **after** block `layer` (llama.cpp's
 *   `l_out-<layer>`);
 * - `"o-proj-input"`: the input of block `layer`'s attention output projection, i.e. the
 *   concatenated attention-head outputs (HF `self_attn.o_proj` input, llama.cpp `kqv_out-<layer>`,
 *   the input of `wo`). Its width is n_head·head_dim, which equals nEmbd for llama/qwen2 models;
 *   models where it differs are refused.
 */
export type HookSite = "residual" | "o-proj-input";

/** Captured states: `states[layer][i]` is the vector at the i-th selected position. */
export interface HiddenStates {
  layers: readonly number[];
  positions: readonly number[];
  states: ReadonlyMap<number, Float32Array[]>;
  nEmbd: number;
}

/**
 * A per-token edit at `site` of block `layer` (default: the residual stream after the block,
 * llama.cpp's `l_out-<layer>`; see `HookSite`): `edit` receives one token's row and changes it in
 * place (so gated steering `h' = f(h)` works).
 */
export interface Intervention {
  layer: number;
  site?: HookSite;
  edit(
    h: Float32Array,
    info: {
      position: number;
      phase: "prompt" | "generate";
      /** Tokens of the prompt (BOS and template included), so a hook can find the last one. */
      promptLength: number;
    },
  ): void;
}

/** A constant vector added to the residual stream after each listed layer. */
export interface ControlVector {
  /** layer -> vector of length nEmbd. Layer 0 cannot be steered in llama.cpp. */
  vectors: ReadonlyMap<number, Float32Array>;
}

export interface InternalsGenerateRequest extends GenerateRequest {
  interventions?: readonly Intervention[];
  controlVector?: ControlVector;
}

/** White-box access, offered by engines that run the model in-process. */
export interface Internals {
  readonly nLayers: number;
  readonly nEmbd: number;
  captureHidden(
    prompt: string,
    options: {
      layers: readonly number[];
      positions?: PositionSelector;
      rawPrompt?: boolean;
      /** Where to read inside each layer (default `"residual"`). */
      site?: HookSite;
    },
  ): Promise<HiddenStates>;
  /** Next-token raw logits after `prompt`, with optional interventions applied. */
  logits(
    prompt: string,
    options?: { interventions?: readonly Intervention[]; controlVector?: ControlVector },
  ): Promise<Float32Array>;
  /**
   * Teacher-forced logits of `continuation` after a raw-text `prompt`, in one forward pass, with
   * optional interventions. `tokens` are the continuation's tokens as `prompt + continuation`
   * tokenizes (after the common prefix with `prompt` alone); `logits[k]` is the distribution that
   * predicts `tokens[k]`. Continuation rows reach interventions as phase "generate", as if each
   * token had been generated, so "last position" steering edits them as it does in generation.
   */
  continuationLogits(
    prompt: string,
    continuation: string,
    options?: { interventions?: readonly Intervention[]; controlVector?: ControlVector },
  ): Promise<{ tokens: number[]; logits: Float32Array[]; inputTokens: number }>;
  generate(request: InternalsGenerateRequest): Promise<GenerateResult>;
}
