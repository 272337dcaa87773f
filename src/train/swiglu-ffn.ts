import type { Arr } from "./array.ts";
import { type Alloc, freshAlloc } from "./buffer-arena.ts";
import { type FusedCache, fusedLinearBackward, fusedLinearForward } from "./fused-linear.ts";
import { runGraph } from "./gemm.ts";
import {
  type Linear,
  type LinearCache,
  linearBackward,
  linearForward,
  type PassContext,
} from "./linear.ts";
import { swigluBackward, swigluForward } from "./swiglu.ts";
import { swigluFfnBackwardModelBytes, swigluFfnForwardModelBytes } from "./swiglu-ffn-model.ts";

/** A block's FFN linears. */
export interface FfnLinears {
  gate: Linear;
  up: Linear;
  down: Linear;
}

/** What the FFN's backward needs: the graph's G and U, or the TypeScript path's caches. */
export type FfnCache =
  | { kind: "graph"; g: Float32Array; u: Float32Array }
  | { kind: "ts"; gateUp: FusedCache; gu: Arr; sig: Arr; down: LinearCache };

/** Frozen float32 weights without bias or adapter: the graphs compute everything. */
function graphable(l: FfnLinears, x: Arr, h: Arr): boolean {
  return (
    x instanceof Float32Array &&
    h instanceof Float32Array &&
    [l.gate, l.up, l.down].every(
      (lin) => !lin.w.grad && !lin.bias && !lin.lora && lin.w.data instanceof Float32Array,
    )
  );
}

/**
 * `h + down(silu(gate(x)) ∘ up(x))` over `rows` rows of the normed input x ([rows, D]), h the
 * residual. With frozen plain weights (LoRA elsewhere, the common case) this is one onnxruntime
 * graph, SwiGLU included; otherwise the fused gate/up product, SwiGLU and the down product.
 */
export async function swigluFfnForward(
  l: FfnLinears,
  x: Arr,
  h: Arr,
  rows: number,
  ctx: PassContext,
): Promise<{ out: Arr; cache: FfnCache }> {
  const [F, D] = l.gate.w.shape as [number, number];
  if (graphable(l, x, h)) {
    const r = await runGraph(
      "swiglu-ffn-forward",
      swigluFfnForwardModelBytes,
      {
        N: { data: x as Float32Array, dims: [rows, D] },
        Wg: { data: l.gate.w.data as Float32Array, dims: [F, D] },
        Wu: { data: l.up.w.data as Float32Array, dims: [F, D] },
        Wd: { data: l.down.w.data as Float32Array, dims: [D, F] },
        H: { data: h as Float32Array, dims: [rows, D] },
      },
      6 * rows * D * F,
    );
    if (r) return { out: r["Y"]!, cache: { kind: "graph", g: r["G"]!, u: r["U"]! } };
  }
  const alloc = ctx.alloc ?? freshAlloc;
  const gateUp = await fusedLinearForward([l.gate, l.up], x, rows, ctx);
  const { h: act, sig } = swigluForward(gateUp.y, rows, F, alloc);
  const down = await linearForward(l.down, act, rows, ctx);
  const out = down.y;
  for (let i = 0; i < out.length; i++) out[i]! += h[i]!;
  return { out, cache: { kind: "ts", gateUp: gateUp.cache, gu: gateUp.y, sig, down: down.cache } };
}

/** dL/dx from dL/dout (the residual's share, dout itself, is the caller's to add). */
export async function swigluFfnBackward(
  l: FfnLinears,
  cache: FfnCache,
  dOut: Arr,
  rows: number,
  alloc: Alloc = freshAlloc,
): Promise<Arr> {
  const [F, D] = l.gate.w.shape as [number, number];
  if (cache.kind === "graph") {
    // A float64 gradient arrives when the caller's dL/dlogits is float64 (tests).
    const dY = dOut instanceof Float32Array ? dOut : Float32Array.from(dOut);
    const r = await runGraph(
      "swiglu-ffn-backward",
      swigluFfnBackwardModelBytes,
      {
        dY: { data: dY, dims: [rows, D] },
        G: { data: cache.g, dims: [rows, F] },
        U: { data: cache.u, dims: [rows, F] },
        Wg: { data: l.gate.w.data as Float32Array, dims: [F, D] },
        Wu: { data: l.up.w.data as Float32Array, dims: [F, D] },
        Wd: { data: l.down.w.data as Float32Array, dims: [D, F] },
      },
      6 * rows * D * F,
    );
    if (!r)
      throw new Error(
        "swiglu FFN: the forward ran as a graph but the backward graph did not (onnxruntime or graphs turned off in between)",
      );
    return r["dN"]!;
  }
  const dAct = (await linearBackward(l.down, cache.down, dOut, rows))!;
  const dGu = swigluBackward(dAct, cache.gu, cache.sig, rows, F, alloc);
  return fusedLinearBackward([l.gate, l.up], cache.gateUp, dGu, rows, alloc);
}
