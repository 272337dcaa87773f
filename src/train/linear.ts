import type { SeededRandom } from "../math/seeded-random.ts";
import { type Arr, addInto } from "./array.ts";
import { type Alloc, freshAlloc } from "./buffer-arena.ts";
import { type GraphInput, gemm, runGraph } from "./gemm.ts";
import { loraBackwardModelBytes, loraForwardModelBytes } from "./lora-model.ts";
import type { Param } from "./param.ts";

/**
 * A low-rank update of one linear weight, in llama.cpp's adapter convention:
 * W' = W + scale · B·A with A = [rank, in] (GGUF `lora_a`, ne=[in, rank]), B = [out, rank]
 * (GGUF `lora_b`, ne=[rank, out]) and scale = alpha / rank.
 */
export interface LoraAdapter {
  a: Param;
  b: Param;
  rank: number;
  alpha: number;
  /** Dropout on the adapter's input during training (0 = off). */
  dropout: number;
}

/** `y = x·Wᵀ + b (+ LoRA)`. W is [out, in] row-major, i.e. the GGUF tensor with ne=[in, out]. */
export interface Linear {
  w: Param;
  bias?: Param;
  lora?: LoraAdapter;
}

export interface LinearCache {
  x: Arr;
  /** The adapter's (dropped-out) input and its low-rank projection x·Aᵀ. */
  xd?: Arr;
  u?: Arr;
  /** Dropout's kept entries (absent when dropout was off). */
  keep?: Uint8Array;
}

/** Whether to keep what the backward needs, the RNG for dropout, and where buffers come from. */
export interface PassContext {
  train: boolean;
  rng?: SeededRandom;
  /** The pass's buffers (a `BufferLease`); fresh ones when absent. */
  alloc?: Alloc;
}

export function linearDims(lin: Linear): { inF: number; outF: number } {
  return { inF: lin.w.shape[1]!, outF: lin.w.shape[0]! };
}

/** The adapter's part of the output, `scale·(x_dropped·Aᵀ)·Bᵀ` ([T, outF]), and its cache. */
export async function loraForward(
  lora: LoraAdapter,
  x: Arr,
  T: number,
  ctx: PassContext,
): Promise<{ d: Arr; cache: LinearCache }> {
  const inF = lora.a.shape[1]!;
  const outF = lora.b.shape[0]!;
  const cache: LinearCache = { x };
  let xd = x;
  if (ctx.train && lora.dropout > 0 && ctx.rng) {
    xd = (ctx.alloc ?? freshAlloc).zeros(x, x.length);
    const p = 1 - lora.dropout;
    const mask = new Uint8Array(x.length);
    for (let i = 0; i < x.length; i++) {
      if (ctx.rng.next() < p) {
        mask[i] = 1;
        xd[i] = x[i]! / p;
      }
    }
    cache.keep = mask;
  }
  cache.xd = xd;
  const graph = await loraGraph("forward", lora, { X: xd }, T);
  if (graph) {
    cache.u = graph["U"]!;
    return { d: graph["D"]!, cache };
  }
  const u = await gemm(xd, lora.a.data, T, lora.rank, inF, false, true);
  const d = await gemm(u, lora.b.data, T, outF, lora.rank, false, true);
  const s = lora.alpha / lora.rank;
  for (let i = 0; i < d.length; i++) d[i]! *= s;
  cache.u = u;
  return { d, cache };
}

/** Accumulates the adapter's gradients from dy ([T, outF]) and adds its part of dx (if given). */
export async function loraBackward(
  lora: LoraAdapter,
  cache: LinearCache,
  dy: Arr,
  T: number,
  dx: Arr | undefined,
): Promise<void> {
  if (!cache.u || !cache.xd) return;
  const inF = lora.a.shape[1]!;
  const outF = lora.b.shape[0]!;
  const s = lora.alpha / lora.rank;
  const r = lora.rank;
  const graph = await loraGraph("backward", lora, { dY: dy, X: cache.xd, U: cache.u }, T);
  if (graph) {
    if (lora.b.grad) addInto(lora.b.grad, graph["gB"]!);
    if (lora.a.grad) addInto(lora.a.grad, graph["gA"]!);
    if (dx) addDx(lora, cache, dx, graph["dX"]!);
    return;
  }
  if (lora.b.grad) {
    const gb = await gemm(dy, cache.u, outF, r, T, true, false);
    for (let i = 0; i < gb.length; i++) lora.b.grad[i]! += s * gb[i]!;
  }
  const du = await gemm(dy, lora.b.data, T, r, outF);
  for (let i = 0; i < du.length; i++) du[i]! *= s;
  if (lora.a.grad) addInto(lora.a.grad, await gemm(du, cache.xd, r, inF, T, true, false));
  if (dx) addDx(lora, cache, dx, await gemm(du, lora.a.data, T, inF, r));
}

/** dx += d(dropped input)/dx · dxd: through the dropout mask and its 1/p scale, if any. */
function addDx(lora: LoraAdapter, cache: LinearCache, dx: Arr, dxd: Arr): void {
  const mask = cache.keep;
  if (mask) {
    const p = 1 - lora.dropout;
    for (let i = 0; i < dxd.length; i++) if (mask[i]) dx[i]! += dxd[i]! / p;
  } else addInto(dx, dxd);
}

/**
 * One adapter pass as an onnxruntime graph (`lora-model.ts`), or null: float64, no
 * onnxruntime, or work below `minOrtWork` (the caller then runs the products one by one).
 */
async function loraGraph(
  pass: "forward" | "backward",
  lora: LoraAdapter,
  arrays: Record<string, Arr>,
  T: number,
): Promise<Record<string, Float32Array> | null> {
  const { a, b, rank: r } = lora;
  const [inF, outF] = [a.shape[1]!, b.shape[0]!];
  const all = [a.data, b.data, ...Object.values(arrays)];
  if (!all.every((x) => x instanceof Float32Array)) return null;
  const dims: Record<string, number[]> = { dY: [T, outF], X: [T, inF], U: [T, r] };
  const inputs: Record<string, GraphInput> = {
    A: { data: a.data as Float32Array, dims: [r, inF] },
    B: { data: b.data as Float32Array, dims: [outF, r] },
    S: { data: Float32Array.of(lora.alpha / r), dims: [1] },
  };
  for (const [name, x] of Object.entries(arrays))
    inputs[name] = { data: x as Float32Array, dims: dims[name]! };
  const forward = pass === "forward";
  return runGraph(
    `lora-${pass}`,
    forward ? loraForwardModelBytes : loraBackwardModelBytes,
    inputs,
    (forward ? 2 : 4) * T * r * (inF + outF),
  );
}

/** Forward over T rows. */
export async function linearForward(
  lin: Linear,
  x: Arr,
  T: number,
  ctx: PassContext,
): Promise<{ y: Arr; cache: LinearCache }> {
  const { inF, outF } = linearDims(lin);
  const y = await gemm(x, lin.w.data, T, outF, inF, false, true);
  if (lin.bias) {
    const b = lin.bias.data;
    for (let t = 0; t < T; t++) for (let o = 0; o < outF; o++) y[t * outF + o]! += b[o]!;
  }
  if (!lin.lora) return { y, cache: { x } };
  const { d, cache } = await loraForward(lin.lora, x, T, ctx);
  addInto(y, d);
  return { y, cache };
}

/**
 * Backward: accumulates into the gradients of the trainable parts (W, bias, A, B) and returns
 * dx (skipped when `needDx` is false, e.g. for the first projection of a frozen embedding).
 */
export async function linearBackward(
  lin: Linear,
  cache: LinearCache,
  dy: Arr,
  T: number,
  needDx = true,
): Promise<Arr | undefined> {
  const { inF, outF } = linearDims(lin);
  if (lin.w.grad) addInto(lin.w.grad, await gemm(dy, cache.x, outF, inF, T, true, false));
  if (lin.bias?.grad) {
    const g = lin.bias.grad;
    for (let t = 0; t < T; t++) for (let o = 0; o < outF; o++) g[o]! += dy[t * outF + o]!;
  }
  const dx = needDx ? await gemm(dy, lin.w.data, T, inF, outF) : undefined;
  if (lin.lora) await loraBackward(lin.lora, cache, dy, T, dx);
  return dx;
}
