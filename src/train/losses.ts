/**
 * The training losses as small pure functions of log-probabilities. Each returns the loss and
 * its gradient with respect to its inputs; the objectives (objectives.ts) push those gradients
 * back through the model. Natural logs throughout.
 */

/** Per-token log-probabilities of one sequence's supervised tokens. */
export interface TokenScores {
  /** log p(y_k) for each supervised token. */
  target: ArrayLike<number>;
  /** mean_v log p(v) at the same positions (only needed with label smoothing). */
  meanAll?: ArrayLike<number>;
}

/** Gradients for one sequence: dL/dlog p(y_k) and dL/d(mean_v log p(v)). */
export interface TokenGrads {
  target: Float64Array;
  mean: Float64Array;
}

export interface TokenLossResult {
  loss: number;
  grads: TokenGrads[];
  /** Supervised tokens in the denominator. */
  tokens: number;
}

/**
 * Signed, label-smoothed token cross-entropy (UPCORE's GA/Refusal loss; plain SFT with the
 * defaults): L = Σ_r Σ_k c_r·[(1−ε)(−log p(y_k)) + ε(−mean_v log p(v))] / N, N = all supervised
 * tokens of the batch. c_r = +1 descends (SFT, retain rows), −1 ascends (forget rows).
 */
export function tokenCrossEntropy(
  rows: readonly TokenScores[],
  options: { coefficients?: readonly number[]; labelSmoothing?: number } = {},
): TokenLossResult {
  const eps = options.labelSmoothing ?? 0;
  const N = rows.reduce((a, r) => a + r.target.length, 0);
  if (N === 0) throw new Error("token cross-entropy: the batch has no supervised tokens");
  let loss = 0;
  const grads = rows.map((r, i) => {
    const c = options.coefficients?.[i] ?? 1;
    const n = r.target.length;
    const target = new Float64Array(n);
    const mean = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const m = eps > 0 ? r.meanAll?.[k] : 0;
      if (m === undefined) throw new Error("label smoothing needs meanAll scores");
      loss += c * ((1 - eps) * -r.target[k]! + eps * -m);
      target[k] = (-c * (1 - eps)) / N;
      mean[k] = (-c * eps) / N;
    }
    return { target, mean };
  });
  return { loss: loss / N, grads, tokens: N };
}

/** SFT: mean negative log-likelihood of the completion tokens. */
export function sftLoss(rows: readonly TokenScores[]): TokenLossResult {
  return tokenCrossEntropy(rows);
}

/** Gradient ascent (unlearning): the negated SFT loss on the forget rows. */
export function gradientAscentLoss(rows: readonly TokenScores[]): TokenLossResult {
  return tokenCrossEntropy(rows, { coefficients: rows.map(() => -1) });
}

/**
 * Gradient difference: ascent on the forget rows plus descent on the retain rows, each a mean
 * over its own tokens: L = −w_f·CE(forget) + w_r·CE(retain).
 */
export function gradientDifferenceLoss(
  forget: readonly TokenScores[],
  retain: readonly TokenScores[],
  weights: { forget?: number; retain?: number } = {},
): { loss: number; forget: TokenGrads[]; retain: TokenGrads[] } {
  const wf = weights.forget ?? 1;
  const wr = weights.retain ?? 1;
  const f = tokenCrossEntropy(forget);
  const r = tokenCrossEntropy(retain);
  const scale = (gs: TokenGrads[], s: number) =>
    gs.map((g) => ({ target: g.target.map((x) => x * s), mean: g.mean.map((x) => x * s) }));
  return {
    loss: -wf * f.loss + wr * r.loss,
    forget: scale(f.grads, -wf),
    retain: scale(r.grads, wr),
  };
}

const logSigmoid = (x: number): number =>
  x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x));
const sigmoid = (x: number): number =>
  x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));

/** One preference pair's sequence log-probabilities under the policy and the reference. */
export interface PreferenceScores {
  chosen: number;
  rejected: number;
  refChosen: number;
  refRejected: number;
}

/**
 * DPO: L = −mean log σ(β·[(π_c − ref_c) − (π_r − ref_r)]) over pairs, where π and ref are
 * summed completion log-probs. Returns dL/dπ_c and dL/dπ_r per pair, and the mean margin.
 */
export function dpoLoss(
  pairs: readonly PreferenceScores[],
  beta: number,
): { loss: number; dChosen: number[]; dRejected: number[]; margin: number; accuracy: number } {
  if (pairs.length === 0) throw new Error("DPO loss: no pairs");
  const n = pairs.length;
  let loss = 0;
  let margin = 0;
  let correct = 0;
  const dChosen: number[] = [];
  const dRejected: number[] = [];
  for (const p of pairs) {
    const m = p.chosen - p.refChosen - (p.rejected - p.refRejected);
    loss -= logSigmoid(beta * m);
    margin += m;
    if (m > 0) correct++;
    const g = (-beta * sigmoid(-beta * m)) / n;
    dChosen.push(g);
    dRejected.push(-g);
  }
  return { loss: loss / n, dChosen, dRejected, margin: margin / n, accuracy: correct / n };
}

/**
 * NPO: L = (2/β)·mean log(1 + (π_θ/π_ref)^β) = −(2/β)·mean log σ(−β(log π_θ − log π_ref)),
 * with log π the summed completion log-prob. dL/dlog π_θ = (2/n)·σ(β(log π_θ − log π_ref)).
 */
export function npoLoss(
  logp: readonly number[],
  refLogp: readonly number[],
  beta: number,
): { loss: number; dLogp: number[] } {
  const n = logp.length;
  if (n === 0 || refLogp.length !== n)
    throw new Error("NPO loss: need one reference log-prob per sequence");
  let loss = 0;
  const dLogp: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = beta * (logp[i]! - refLogp[i]!);
    loss -= (2 / beta) * logSigmoid(-x);
    dLogp.push((2 / n) * sigmoid(x));
  }
  return { loss: loss / n, dLogp };
}
