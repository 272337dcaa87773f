/**
 * Squared maximum mean discrepancy, biased V-statistic (all pairs, diagonal included), with the
 * Gaussian kernel k(x, y) = exp(−‖x − y‖² / (2σ²)).
 */
export function gaussianKernel(x: ArrayLike<number>, y: ArrayLike<number>, sigma: number): number {
  let sq = 0;
  for (let i = 0; i < x.length; i++) {
    const diff = x[i]! - y[i]!;
    sq += diff * diff;
  }
  return Math.exp(-sq / (2 * sigma * sigma));
}

export function mmd2(
  xs: readonly ArrayLike<number>[],
  ys: readonly ArrayLike<number>[],
  sigma: number,
): number {
  return meanKernel(xs, xs, sigma) + meanKernel(ys, ys, sigma) - 2 * meanKernel(xs, ys, sigma);
}

function meanKernel(
  a: readonly ArrayLike<number>[],
  b: readonly ArrayLike<number>[],
  sigma: number,
): number {
  let sum = 0;
  for (const x of a) for (const y of b) sum += gaussianKernel(x, y, sigma);
  return sum / (a.length * b.length);
}

/**
 * MMD² and its gradient with respect to each x (the ys are constants: the original positives).
 */
export function mmd2WithGradient(
  xs: readonly Float64Array[],
  ys: readonly ArrayLike<number>[],
  sigma: number,
): { value: number; gradients: Float64Array[] } {
  const n = xs.length;
  const m = ys.length;
  const s2 = sigma * sigma;
  const gradients = xs.map((x) => new Float64Array(x.length));
  let kxx = 0;
  let kxy = 0;
  for (let i = 0; i < n; i++) {
    const xi = xs[i]!;
    const gi = gradients[i]!;
    for (let j = 0; j < n; j++) {
      const k = gaussianKernel(xi, xs[j]!, sigma);
      kxx += k;
      // d/dx_i of (1/n²)ΣΣ k: x_i appears as the first and the second argument
      const coef = (2 / (n * n)) * k * (-1 / s2);
      const xj = xs[j]!;
      for (let d = 0; d < xi.length; d++) gi[d]! += coef * (xi[d]! - xj[d]!);
    }
    for (let j = 0; j < m; j++) {
      const yj = ys[j]!;
      const k = gaussianKernel(xi, yj, sigma);
      kxy += k;
      const coef = (-2 / (n * m)) * k * (-1 / s2);
      for (let d = 0; d < xi.length; d++) gi[d]! += coef * (xi[d]! - yj[d]!);
    }
  }
  const value = kxx / (n * n) + meanKernel(ys, ys, sigma) - (2 * kxy) / (n * m);
  return { value, gradients };
}
