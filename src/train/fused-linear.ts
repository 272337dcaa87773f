import type { Arr } from "./array.ts";
import { type Alloc, freshAlloc } from "./buffer-arena.ts";
import { gemm } from "./gemm.ts";
import {
  type Linear,
  type LinearCache,
  linearDims,
  loraBackward,
  loraForward,
  type PassContext,
} from "./linear.ts";

/**
 * Linears that read the same input (q/k/v, gate/up) run as ONE product with their weights
 * stacked: y = x·[W₁; W₂; …]ᵀ = [rows, Σ outᵢ], segment i in columns offsets[i]... The backward
 * is one product for dx and one for the stacked dW, instead of one each per linear plus the
 * sums of their dx. Biases and LoRA adapters stay per linear.
 */
export interface FusedCache {
  x: Arr;
  /** The stacked weights the forward used (the backward's dx product needs them). */
  w: Arr;
  lora: (LinearCache | undefined)[];
}

function segments(lins: readonly Linear[]): { inF: number; outs: number[]; total: number } {
  const inF = linearDims(lins[0]!).inF;
  const outs = lins.map((l) => linearDims(l).outF);
  return { inF, outs, total: outs.reduce((a, b) => a + b, 0) };
}

/** Copies out the [rows, n] block at column `col` of a [rows, total] matrix. */
export function takeColumns(
  m: Arr,
  rows: number,
  total: number,
  col: number,
  n: number,
  alloc: Alloc = freshAlloc,
): Arr {
  const out = alloc.take(m, rows * n);
  for (let r = 0; r < rows; r++) out.set(m.subarray(r * total + col, r * total + col + n), r * n);
  return out;
}

function addColumns(m: Arr, block: Arr, rows: number, total: number, col: number, n: number) {
  for (let r = 0; r < rows; r++) {
    const o = r * total + col;
    const b = r * n;
    for (let i = 0; i < n; i++) m[o + i]! += block[b + i]!;
  }
}

export async function fusedLinearForward(
  lins: readonly Linear[],
  x: Arr,
  rows: number,
  ctx: PassContext,
): Promise<{ y: Arr; cache: FusedCache }> {
  const { inF, outs, total } = segments(lins);
  // Stacked afresh each pass: an optimizer step may have changed the weights in between.
  const w = (ctx.alloc ?? freshAlloc).take(x, total * inF);
  let off = 0;
  for (const l of lins) {
    w.set(l.w.data, off * inF);
    off += linearDims(l).outF;
  }
  const y = await gemm(x, w, rows, total, inF, false, true);
  const lora: (LinearCache | undefined)[] = [];
  off = 0;
  for (const [i, l] of lins.entries()) {
    const n = outs[i]!;
    if (l.bias) {
      const b = l.bias.data;
      for (let r = 0; r < rows; r++) {
        const o = r * total + off;
        for (let j = 0; j < n; j++) y[o + j]! += b[j]!;
      }
    }
    if (l.lora) {
      const { d, cache } = await loraForward(l.lora, x, rows, ctx);
      addColumns(y, d, rows, total, off, n);
      lora.push(cache);
    } else lora.push(undefined);
    off += n;
  }
  return { y, cache: { x, w, lora } };
}

/** Backward from dy = [rows, Σ outᵢ]: accumulates W/bias/LoRA gradients, returns dx. */
export async function fusedLinearBackward(
  lins: readonly Linear[],
  cache: FusedCache,
  dy: Arr,
  rows: number,
  alloc: Alloc = freshAlloc,
): Promise<Arr> {
  const { inF, outs, total } = segments(lins);
  if (lins.some((l) => l.w.grad)) {
    const dw = await gemm(dy, cache.x, total, inF, rows, true, false);
    let off = 0;
    for (const [i, l] of lins.entries()) {
      const g = l.w.grad;
      if (g) for (let j = 0; j < g.length; j++) g[j]! += dw[off * inF + j]!;
      off += outs[i]!;
    }
  }
  const dx = await gemm(dy, cache.w, rows, inF, total);
  let off = 0;
  for (const [i, l] of lins.entries()) {
    const n = outs[i]!;
    const gb = l.bias?.grad;
    if (gb)
      for (let r = 0; r < rows; r++) {
        const o = r * total + off;
        for (let j = 0; j < n; j++) gb[j]! += dy[o + j]!;
      }
    const lc = cache.lora[i];
    if (l.lora && lc)
      await loraBackward(l.lora, lc, takeColumns(dy, rows, total, off, n, alloc), rows, dx);
    off += n;
  }
  return dx;
}
