import type { Arr } from "./array.ts";
import type { Param } from "./param.ts";

export interface AdamWOptions {
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** Decoupled weight decay (AdamW), applied as p −= lr·wd·p. */
  weightDecay?: number;
}

/**
 * AdamW (Loshchilov & Hutter) with bias correction, as torch.optim.AdamW. Moments are float64
 * so long runs in float32 weights do not lose small updates in the second moment.
 */
export class AdamW {
  readonly m = new Map<string, Float64Array>();
  readonly v = new Map<string, Float64Array>();
  step = 0;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;

  constructor(
    readonly params: readonly Param[],
    options: AdamWOptions = {},
  ) {
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0;
    for (const p of params) {
      this.m.set(p.name, new Float64Array(p.data.length));
      this.v.set(p.name, new Float64Array(p.data.length));
    }
  }

  /**
   * One update with learning rate `lr` from the parameters' current gradients, in torch's
   * arrangement: w ← w·(1 − lr·wd) − (lr/c1)·m / (√v/√c2 + eps). Every per-step constant is
   * hoisted out of the loop, which leaves one sqrt and one division per weight (a fully
   * trained model updates every weight each step).
   */
  update(lr: number): void {
    this.step++;
    const b1 = this.beta1;
    const b2 = this.beta2;
    const g1 = 1 - b1;
    const g2 = 1 - b2;
    const stepSize = lr / (1 - b1 ** this.step);
    const invSqrtC2 = 1 / Math.sqrt(1 - b2 ** this.step);
    const eps = this.eps;
    const decay = 1 - lr * this.weightDecay;
    for (const p of this.params) {
      const g = p.grad as Arr;
      const m = this.m.get(p.name)!;
      const v = this.v.get(p.name)!;
      const w = p.data;
      for (let i = 0; i < w.length; i++) {
        const gi = g[i]!;
        const mi = b1 * m[i]! + g1 * gi;
        const vi = b2 * v[i]! + g2 * gi * gi;
        m[i] = mi;
        v[i] = vi;
        w[i] = w[i]! * decay - (stepSize * mi) / (Math.sqrt(vi) * invSqrtC2 + eps);
      }
    }
  }
}

/** Sets every gradient to zero. */
export function zeroGrads(params: readonly Param[]): void {
  for (const p of params) p.grad?.fill(0);
}

/** Global L2 norm of the gradients. */
export function gradNorm(params: readonly Param[]): number {
  let s = 0;
  for (const p of params) {
    const g = p.grad;
    if (g) for (let i = 0; i < g.length; i++) s += g[i]! * g[i]!;
  }
  return Math.sqrt(s);
}

/** Multiplies every gradient by `factor`. */
export function scaleGrads(params: readonly Param[], factor: number): void {
  for (const p of params) {
    const g = p.grad;
    if (g) for (let i = 0; i < g.length; i++) g[i]! *= factor;
  }
}
