import { type Arr, zerosLike } from "./array.ts";

/** h = silu(g) ∘ u, SwiGLU's gate (llama.cpp's ffn_gate → SILU × ffn_up). */
export function swigluForward(g: Arr, u: Arr): Arr {
  const h = zerosLike(g, g.length);
  for (let i = 0; i < g.length; i++) {
    const x = g[i]!;
    h[i] = (x / (1 + Math.exp(-x))) * u[i]!;
  }
  return h;
}

/** dg = dh·u·σ(g)(1 + g(1 − σ(g))), du = dh·silu(g). */
export function swigluBackward(dh: Arr, g: Arr, u: Arr): { dg: Arr; du: Arr } {
  const dg = zerosLike(dh, g.length);
  const du = zerosLike(dh, g.length);
  for (let i = 0; i < g.length; i++) {
    const x = g[i]!;
    const sg = 1 / (1 + Math.exp(-x));
    du[i] = dh[i]! * x * sg;
    dg[i] = dh[i]! * u[i]! * sg * (1 + x * (1 - sg));
  }
  return { dg, du };
}
