import type { Arr } from "./array.ts";

/**
 * Rotary position embedding in the two pairings llama.cpp uses: "normal" rotates adjacent
 * pairs (x[2i], x[2i+1]) (LLAMA: the GGUF converter permuted Q/K so this is right), "neox"
 * rotates (x[i], x[i + d/2]) (qwen2 and most HF-native models).
 */
export type RopeType = "normal" | "neox";

export interface RopeSpec {
  type: RopeType;
  /** Rotated dimensions per head (≤ head size; the rest pass through). */
  dims: number;
  base: number;
  headDim: number;
}

/**
 * Rotates in place `x` = [T, heads, headDim] at positions pos0..pos0+T-1; `inverse` applies
 * the transposed rotation, which is exactly the backward of the forward rotation.
 */
export function applyRope(
  x: Arr,
  T: number,
  heads: number,
  spec: RopeSpec,
  pos0: number,
  inverse = false,
): void {
  const half = spec.dims / 2;
  // Same frequency recurrence as ggml (theta_scale^i), in double precision.
  const thetaScale = spec.base ** (-2 / spec.dims);
  const freqs = new Float64Array(half);
  for (let i = 0; i < half; i++) freqs[i] = thetaScale ** i;
  const sign = inverse ? -1 : 1;
  for (let t = 0; t < T; t++) {
    const p = pos0 + t;
    for (let i = 0; i < half; i++) {
      const th = p * freqs[i]!;
      const c = Math.cos(th);
      const s = sign * Math.sin(th);
      for (let h = 0; h < heads; h++) {
        const o = (t * heads + h) * spec.headDim;
        const i0 = spec.type === "normal" ? o + 2 * i : o + i;
        const i1 = spec.type === "normal" ? i0 + 1 : i0 + half;
        const a = x[i0]!;
        const b = x[i1]!;
        x[i0] = a * c - b * s;
        x[i1] = a * s + b * c;
      }
    }
  }
}
