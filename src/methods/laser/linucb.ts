import { insertSorted, quantileNormalise } from "./reward-normalisation.ts";

/** LinUCB settings (LASeR's defaults: α 0.1, 20/80-percentile reward scaling). */
export interface LinUcbOptions {
  /** Exploration weight on the confidence width (default 0.1). */
  alpha?: number;
  /** Scale rewards by the history's percentiles (default) or use them raw. */
  normalise?: "quantile" | "none";
  /**
   * What the quantile scaling does with a reward while the history holds fewer than two:
   * "raw" returns it unscaled (the official code and the spec), "neutral" gives 0.5. With
   * reward = −loss the raw first reward is negative and can bar the first arm pulled for good.
   */
  firstReward?: "raw" | "neutral";
}

/** Everything a LinUCB needs to continue after a restart (plain JSON). */
export interface LinUcbState {
  dim: number;
  arms: number;
  alpha: number;
  normalise: "quantile" | "none";
  firstReward?: "raw" | "neutral";
  /** Per arm: A⁻¹ row-major (d·d). */
  aInverse: number[][];
  /** Per arm: b (d). */
  b: number[][];
  /** Every raw reward so far, ascending (the normalisation history). */
  history: number[];
  pulls: number[];
}

/**
 * Disjoint LinUCB (Li et al. 2010) as LASeR uses it: per arm a ridge regression of the scaled
 * reward on the context (A = I, b = 0), arm choice by θ·x + α·√(xᵀA⁻¹x), ties to the lowest index.
 * A⁻¹ is kept directly and updated with Sherman–Morrison, so a step costs O(d²) instead of an
 * O(d³) inverse; all arithmetic is in Float64Array.
 */
export class LinUcb {
  readonly dim: number;
  readonly arms: number;
  readonly alpha: number;
  readonly normalise: "quantile" | "none";
  readonly firstReward: "raw" | "neutral";
  private readonly aInv: Float64Array[];
  private readonly b: Float64Array[];
  private readonly history: number[] = [];
  readonly pulls: number[];

  constructor(dim: number, arms: number, options: LinUcbOptions = {}) {
    if (!Number.isInteger(dim) || dim < 1)
      throw new Error(`context dimension must be ≥ 1, got ${dim}`);
    if (!Number.isInteger(arms) || arms < 1) throw new Error(`arms must be ≥ 1, got ${arms}`);
    this.dim = dim;
    this.arms = arms;
    this.alpha = options.alpha ?? 0.1;
    this.normalise = options.normalise ?? "quantile";
    this.firstReward = options.firstReward ?? "raw";
    this.aInv = Array.from({ length: arms }, () => identity(dim));
    this.b = Array.from({ length: arms }, () => new Float64Array(dim));
    this.pulls = new Array(arms).fill(0);
  }

  /** θ_a·x + α·√(xᵀA_a⁻¹x) for every arm. */
  scores(x: ArrayLike<number>): number[] {
    this.checkDim(x);
    const d = this.dim;
    const ax = new Float64Array(d);
    return this.aInv.map((inv, a) => {
      matVec(inv, x, ax, d);
      // θ·x = (A⁻¹b)·x = b·(A⁻¹x) since A⁻¹ is symmetric.
      const mean = dot(this.b[a]!, ax);
      const width = Math.sqrt(Math.max(0, dot(x, ax)));
      return mean + this.alpha * width;
    });
  }

  /** The arm with the highest upper confidence bound (lowest index on ties). */
  select(x: ArrayLike<number>): number {
    const s = this.scores(x);
    let best = 0;
    for (let a = 1; a < s.length; a++) if (s[a]! > s[best]!) best = a;
    return best;
  }

  /**
   * Credits `arm` with `reward` in context `x` (only the chosen arm learns: bandit feedback).
   * Returns the scaled reward that entered b.
   */
  update(arm: number, x: ArrayLike<number>, reward: number): number {
    this.checkDim(x);
    if (!(arm >= 0 && arm < this.arms)) throw new Error(`no arm ${arm}`);
    if (!Number.isFinite(reward)) throw new Error(`bandit reward must be finite, got ${reward}`);
    insertSorted(this.history, reward);
    const r =
      this.normalise === "none"
        ? reward
        : this.history.length < 2 && this.firstReward === "neutral"
          ? 0.5
          : quantileNormalise(reward, this.history);
    this.learn(arm, x, r);
    return r;
  }

  /**
   * Credits `arm` with an already scaled reward, outside the normalisation history: LASeR gives
   * 0 (the bottom of the scale) to an arm whose scores tied everywhere, so no pair and no loss
   * came from it; without a reward its A would never grow and LinUCB would keep choosing it.
   */
  updateScaled(arm: number, x: ArrayLike<number>, scaled: number): void {
    this.checkDim(x);
    if (!(arm >= 0 && arm < this.arms)) throw new Error(`no arm ${arm}`);
    this.learn(arm, x, scaled);
  }

  private learn(arm: number, x: ArrayLike<number>, r: number): void {
    const d = this.dim;
    const inv = this.aInv[arm]!;
    const u = new Float64Array(d);
    matVec(inv, x, u, d);
    const denom = 1 + dot(x, u);
    // Sherman–Morrison: (A + xxᵀ)⁻¹ = A⁻¹ − (A⁻¹x)(A⁻¹x)ᵀ / (1 + xᵀA⁻¹x), A⁻¹ symmetric.
    for (let i = 0; i < d; i++) {
      const ui = u[i]! / denom;
      const row = i * d;
      for (let j = 0; j < d; j++) inv[row + j]! -= ui * u[j]!;
    }
    const b = this.b[arm]!;
    for (let i = 0; i < d; i++) b[i]! += r * x[i]!;
    this.pulls[arm]!++;
  }

  /** A copy of arm `a`'s A⁻¹ (row-major). */
  inverse(arm: number): Float64Array {
    return Float64Array.from(this.aInv[arm]!);
  }

  /** Arm `a`'s ridge estimate θ = A⁻¹b. */
  theta(arm: number): Float64Array {
    const out = new Float64Array(this.dim);
    matVec(this.aInv[arm]!, this.b[arm]!, out, this.dim);
    return out;
  }

  toJSON(): LinUcbState {
    return {
      dim: this.dim,
      arms: this.arms,
      alpha: this.alpha,
      normalise: this.normalise,
      firstReward: this.firstReward,
      aInverse: this.aInv.map((m) => Array.from(m)),
      b: this.b.map((v) => Array.from(v)),
      history: [...this.history],
      pulls: [...this.pulls],
    };
  }

  static fromJSON(s: LinUcbState): LinUcb {
    const u = new LinUcb(s.dim, s.arms, {
      alpha: s.alpha,
      normalise: s.normalise,
      firstReward: s.firstReward ?? "raw",
    });
    for (let a = 0; a < s.arms; a++) {
      u.aInv[a]!.set(s.aInverse[a]!);
      u.b[a]!.set(s.b[a]!);
      u.pulls[a] = s.pulls[a]!;
    }
    u.history.push(...s.history);
    return u;
  }

  private checkDim(x: ArrayLike<number>): void {
    if (x.length !== this.dim)
      throw new Error(`context has ${x.length} dimensions, the bandit ${this.dim}`);
  }
}

function identity(d: number): Float64Array {
  const m = new Float64Array(d * d);
  for (let i = 0; i < d; i++) m[i * d + i] = 1;
  return m;
}

function matVec(m: Float64Array, x: ArrayLike<number>, out: Float64Array, d: number): void {
  for (let i = 0; i < d; i++) {
    let s = 0;
    const row = i * d;
    for (let j = 0; j < d; j++) s += m[row + j]! * x[j]!;
    out[i] = s;
  }
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
