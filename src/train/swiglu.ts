import { type Arr, zerosLike } from "./array.ts";

/**
 * h = silu(g) ∘ u, SwiGLU's gate (llama.cpp's ffn_gate → SILU × ffn_up). Also returns σ(g),
 * kept for the backward so it does not pay for the exponentials twice.
 */
export function swigluForward(g: Arr, u: Arr): { h: Arr; sig: Arr } {
  const h = zerosLike(g, g.length);
  const sig = zerosLike(g, g.length);
  for (let i = 0; i < g.length; i++) {
    const x = g[i]!;
    const s = 1 / (1 + Math.exp(-x));
    sig[i] = s;
    h[i] = x * s * u[i]!;
  }
  return { h, sig };
}

/** dg = dh·u·σ(g)(1 + g(1 − σ(g))), du = dh·silu(g). */
export function swigluBackward(dh: Arr, g: Arr, u: Arr, sig: Arr): { dg: Arr; du: Arr } {
  const dg = zerosLike(dh, g.length);
  const du = zerosLike(dh, g.length);
  for (let i = 0; i < g.length; i++) {
    const x = g[i]!;
    const sg = sig[i]!;
    du[i] = dh[i]! * x * sg;
    dg[i] = dh[i]! * u[i]! * sg * (1 + x * (1 - sg));
  }
  return { dg, du };
}
