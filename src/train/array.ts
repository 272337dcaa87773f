/** Float storage used by the trainer: float32 for training, float64 for gradient checks. */
export type Arr = Float32Array | Float64Array;

/** A zeroed array of the same precision as `like`. */
export function zerosLike(like: Arr, n: number): Arr {
  return like instanceof Float64Array ? new Float64Array(n) : new Float32Array(n);
}

/** `dst += src`, elementwise. */
export function addInto(dst: Arr, src: Arr): void {
  for (let i = 0; i < dst.length; i++) dst[i]! += src[i]!;
}

/** Row-major transpose of an [rows, cols] matrix. */
export function transpose(a: Arr, rows: number, cols: number): Arr {
  const out = zerosLike(a, rows * cols);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) out[c * rows + r] = a[base + c]!;
  }
  return out;
}
