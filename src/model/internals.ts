import type { GenerateRequest, GenerateResult } from "./language-model.ts";

/** Which token positions to capture: the last prompt token, every token, or explicit indices. */
export type PositionSelector = "last" | "all" | readonly number[];

/** Residual-stream states: `states[layer][i]` is the vector at the i-th selected position. */
export interface HiddenStates {
  layers: readonly number[];
  positions: readonly number[];
  states: ReadonlyMap<number, Float32Array[]>;
  nEmbd: number;
}

/**
 * A per-token edit of the residual stream after block `layer` (llama.cpp's `l_out-<layer>`):
 * `edit` receives one token's row and changes it in place (so gated steering `h' = f(h)` works).
 */
export interface Intervention {
  layer: number;
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
    options: { layers: readonly number[]; positions?: PositionSelector; rawPrompt?: boolean },
  ): Promise<HiddenStates>;
  /** Next-token raw logits after `prompt`, with optional interventions applied. */
  logits(
    prompt: string,
    options?: { interventions?: readonly Intervention[]; controlVector?: ControlVector },
  ): Promise<Float32Array>;
  generate(request: InternalsGenerateRequest): Promise<GenerateResult>;
}
