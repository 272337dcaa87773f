import type { Arr } from "./array.ts";

/**
 * A named weight. `shape` is row-major (outer first), so a GGUF tensor with ne=[in, out] is
 * `[out, in]` here. The parameter is trainable exactly when `grad` is present.
 */
export interface Param {
  name: string;
  shape: number[];
  data: Arr;
  grad?: Arr;
}

/** Makes `p` trainable (allocates a zeroed gradient of the same precision). */
export function enableGrad(p: Param): void {
  p.grad ??=
    p.data instanceof Float64Array
      ? new Float64Array(p.data.length)
      : new Float32Array(p.data.length);
}

/** Number of elements of a shape. */
export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
