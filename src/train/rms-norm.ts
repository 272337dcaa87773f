import type { Arr } from "./array.ts";
import { type Alloc, freshAlloc } from "./buffer-arena.ts";
import type { Param } from "./param.ts";

/** Cache kept by the forward for the backward: the input and each row's 1/rms. */
export interface RmsNormCache {
  x: Arr;
  inv: Arr;
}

/** `y = x / sqrt(mean(x²) + eps) · w` row by row over `rows × n` (llama.cpp's RMS_NORM + MUL). */
export function rmsNormForward(
  x: Arr,
  w: Param,
  rows: number,
  eps: number,
  alloc: Alloc = freshAlloc,
): { y: Arr; cache: RmsNormCache } {
  const n = w.data.length;
  // Both are fully written below: no need to zero them.
  const y = alloc.take(x, rows * n);
  const inv = alloc.take(x, rows);
  const wd = w.data;
  for (let r = 0; r < rows; r++) {
    const o = r * n;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += x[o + i]! * x[o + i]!;
    const s = 1 / Math.sqrt(ss / n + eps);
    inv[r] = s;
    for (let i = 0; i < n; i++) y[o + i] = x[o + i]! * s * wd[i]!;
  }
  return { y, cache: { x, inv } };
}

/**
 * dx = s·(w∘dy) − x·s³·Σ(w∘dy∘x)/n (+ `residual`, the gradient arriving through the skip
 * connection, summed in the same pass), and dw += Σ_rows dy∘x·s (when `w` is trainable).
 * Overwrites and returns `dy`: the caller's fresh product, which nothing else reads.
 */
export function rmsNormBackward(dy: Arr, w: Param, cache: RmsNormCache, residual?: Arr): Arr {
  const n = w.data.length;
  const { x, inv } = cache;
  const rows = inv.length;
  const wd = w.data;
  const dw = w.grad;
  for (let r = 0; r < rows; r++) {
    const o = r * n;
    const s = inv[r]!;
    let dot = 0;
    for (let i = 0; i < n; i++) dot += wd[i]! * dy[o + i]! * x[o + i]!;
    const c = (dot * s * s * s) / n;
    if (dw) for (let i = 0; i < n; i++) dw[i]! += dy[o + i]! * x[o + i]! * s;
    if (residual)
      for (let i = 0; i < n; i++)
        dy[o + i] = s * wd[i]! * dy[o + i]! - x[o + i]! * c + residual[o + i]!;
    else for (let i = 0; i < n; i++) dy[o + i] = s * wd[i]! * dy[o + i]! - x[o + i]! * c;
  }
  return dy;
}
