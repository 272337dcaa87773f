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
 * cos/sin of every (position, frequency) up to a length, computed once and grown on demand:
 * the trig calls would otherwise run for every row of every layer, forward and backward.
 */
export class RopeTable {
  private cos = new Float64Array(0);
  private sin = new Float64Array(0);
  private length = 0;
  private readonly freqs: Float64Array;

  constructor(readonly spec: RopeSpec) {
    const half = spec.dims / 2;
    // Same frequency recurrence as ggml (theta_scale^i), in double precision.
    const thetaScale = spec.base ** (-2 / spec.dims);
    this.freqs = new Float64Array(half);
    for (let i = 0; i < half; i++) this.freqs[i] = thetaScale ** i;
  }

  private ensure(positions: number): void {
    if (positions <= this.length) return;
    const n = Math.max(positions, 2 * this.length);
    const half = this.freqs.length;
    this.cos = new Float64Array(n * half);
    this.sin = new Float64Array(n * half);
    for (let p = 0; p < n; p++)
      for (let i = 0; i < half; i++) {
        const th = p * this.freqs[i]!;
        this.cos[p * half + i] = Math.cos(th);
        this.sin[p * half + i] = Math.sin(th);
      }
    this.length = n;
  }

  /**
   * Rotates in place the [rows, heads, headDim] block of `x` starting at column `col` of rows
   * `stride` wide (default: x is exactly that block), row r at `positions[r]`; `inverse` applies
   * the transposed rotation, which is exactly the backward of the forward rotation.
   */
  apply(
    x: Arr,
    positions: Int32Array,
    heads: number,
    inverse = false,
    stride = heads * this.spec.headDim,
    col = 0,
  ): void {
    const { type, headDim } = this.spec;
    const half = this.freqs.length;
    let maxPos = 0;
    for (const p of positions) if (p > maxPos) maxPos = p;
    this.ensure(maxPos + 1);
    const sign = inverse ? -1 : 1;
    const pairStride = type === "normal" ? 2 : 1;
    const partner = type === "normal" ? 1 : half;
    for (let r = 0; r < positions.length; r++) {
      const t = positions[r]! * half;
      for (let h = 0; h < heads; h++) {
        const o = r * stride + col + h * headDim;
        for (let i = 0; i < half; i++) {
          const c = this.cos[t + i]!;
          const s = sign * this.sin[t + i]!;
          const i0 = o + i * pairStride;
          const i1 = i0 + partner;
          const a = x[i0]!;
          const b = x[i1]!;
          x[i0] = a * c - b * s;
          x[i1] = a * s + b * c;
        }
      }
    }
  }
}
