import type { Arr } from "./array.ts";
import { type Alloc, freshAlloc } from "./buffer-arena.ts";

/**
 * h = silu(g) ∘ u, SwiGLU's gate (llama.cpp's ffn_gate → SILU × ffn_up), reading g and u from
 * the fused gate/up product gu = [rows, 2F] (g in columns 0..F−1, u in F..2F−1). Also returns
 * σ(g) ([rows, F]), kept for the backward so it does not pay for the exponentials twice.
 */
export function swigluForward(
  gu: Arr,
  rows: number,
  F: number,
  alloc: Alloc = freshAlloc,
): { h: Arr; sig: Arr } {
  // Every entry of both is written below.
  const h = alloc.take(gu, rows * F);
  const sig = alloc.take(gu, rows * F);
  for (let r = 0; r < rows; r++) {
    const o = r * F;
    const og = 2 * o;
    const ou = og + F;
    for (let i = 0; i < F; i++) {
      const x = gu[og + i]!;
      const s = 1 / (1 + Math.exp(-x));
      sig[o + i] = s;
      h[o + i] = x * s * gu[ou + i]!;
    }
  }
  return { h, sig };
}

/** d[g | u] = [dh·u·σ(g)(1 + g(1 − σ(g))) | dh·silu(g)], laid out like `gu`. */
export function swigluBackward(
  dh: Arr,
  gu: Arr,
  sig: Arr,
  rows: number,
  F: number,
  alloc: Alloc = freshAlloc,
): Arr {
  const d = alloc.take(dh, rows * 2 * F);
  for (let r = 0; r < rows; r++) {
    const o = r * F;
    const og = 2 * o;
    const ou = og + F;
    for (let i = 0; i < F; i++) {
      const x = gu[og + i]!;
      const sg = sig[o + i]!;
      const dhi = dh[o + i]!;
      d[ou + i] = dhi * x * sg;
      d[og + i] = dhi * gu[ou + i]! * sg * (1 + x * (1 - sg));
    }
  }
  return d;
}
