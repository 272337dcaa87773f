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
import type { Param } from "./param.ts";
import { type RmsNormCache, rmsNormBackward, rmsNormForward } from "./rms-norm.ts";
import { swigluBackward, swigluForward } from "./swiglu.ts";
import { swigluFfnBackwardModelBytes, swigluFfnForwardModelBytes } from "./swiglu-ffn-model.ts";

/** A block's FFN sub-block: its RMSNorm (weight and epsilon) and linears. */
export interface FfnBlock {
  norm: Param;
  eps: number;
  gate: Linear;
  up: Linear;
  down: Linear;
}

/** What the FFN's backward needs: the graph's tensors, or the TypeScript path's caches. */
export type FfnCache =
  | { kind: "graph"; h: Float32Array; g: Float32Array; u: Float32Array; inv: Float32Array }
  | {
      kind: "ts";
      norm: RmsNormCache;
      gateUp: FusedCache;
      gu: Arr;
      sig: Arr;
      down: LinearCache;
    };

const f32 = (p: Param) => p.data instanceof Float32Array && !p.grad;

/** Frozen float32 weights without bias or adapter: the graphs compute everything. */
function graphable(l: FfnBlock, h: Arr): boolean {
  return (
    h instanceof Float32Array &&
    f32(l.norm) &&
    [l.gate, l.up, l.down].every((lin) => f32(lin.w) && !lin.bias && !lin.lora)
  );
}

const weights = (l: FfnBlock, F: number, D: number) => ({
  Wn: { data: l.norm.data as Float32Array, dims: [D] },
  Wg: { data: l.gate.w.data as Float32Array, dims: [F, D] },
  Wu: { data: l.up.w.data as Float32Array, dims: [F, D] },
  Wd: { data: l.down.w.data as Float32Array, dims: [D, F] },
});

/**
 * `h + down(silu(gate(x)) ∘ up(x))` with x = rmsNorm(h), over `rows` rows of the residual
 * stream h ([rows, D]). With frozen plain weights (LoRA elsewhere, the common case) this is one
 * onnxruntime graph, norm and SwiGLU included; otherwise the norm, the fused gate/up product,
 * SwiGLU and the down product one by one.
 */
export async function swigluFfnForward(
  l: FfnBlock,
  h: Arr,
  rows: number,
  ctx: PassContext,
): Promise<{ out: Arr; cache: FfnCache }> {
  const [F, D] = l.gate.w.shape as [number, number];
  if (graphable(l, h)) {
    const r = await runGraph(
      "swiglu-ffn-forward",
      swigluFfnForwardModelBytes,
      {
        H: { data: h as Float32Array, dims: [rows, D] },
        Eps: { data: Float32Array.of(l.eps), dims: [1] },
        ...weights(l, F, D),
      },
      6 * rows * D * F,
    );
    if (r) {
      const cache: FfnCache = {
        kind: "graph",
        h: h as Float32Array,
        g: r["G"]!,
        u: r["U"]!,
        inv: r["Inv"]!,
      };
      return { out: r["Y"]!, cache };
    }
  }
  const alloc = ctx.alloc ?? freshAlloc;
  const norm = rmsNormForward(h, l.norm, rows, l.eps, alloc);
  const gateUp = await fusedLinearForward([l.gate, l.up], norm.y, rows, ctx);
  const { h: act, sig } = swigluForward(gateUp.y, rows, F, alloc);
  const down = await linearForward(l.down, act, rows, ctx);
  const out = down.y;
  for (let i = 0; i < out.length; i++) out[i]! += h[i]!;
  const cache: FfnCache = {
    kind: "ts",
    norm: norm.cache,
    gateUp: gateUp.cache,
    gu: gateUp.y,
    sig,
    down: down.cache,
  };
  return { out, cache };
}

/** dL/dh from dL/dout, the residual's share (dout itself) included. */
export async function swigluFfnBackward(
  l: FfnBlock,
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
        H: { data: cache.h, dims: [rows, D] },
        Inv: { data: cache.inv, dims: [rows, 1] },
        ...weights(l, F, D),
      },
      6 * rows * D * F,
    );
    if (!r)
      throw new Error(
        "swiglu FFN: the forward ran as a graph but the backward graph did not (onnxruntime or graphs turned off in between)",
      );
    return r["dH"]!;
  }
  const dAct = (await linearBackward(l.down, cache.down, dOut, rows))!;
  const dGu = swigluBackward(dAct, cache.gu, cache.sig, rows, F, alloc);
  const dx = await fusedLinearBackward([l.gate, l.up], cache.gateUp, dGu, rows, alloc);
  return rmsNormBackward(dx, l.norm, cache.norm, dOut);
}
