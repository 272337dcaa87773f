import {
  dpoLoss,
  gradientDifferenceLoss,
  npoLoss,
  type TokenGrads,
  tokenCrossEntropy,
} from "./losses.ts";
import type { ReferenceLogProbs } from "./reference-logprobs.ts";
import {
  type SequenceScores,
  scoreSequence,
  sumGrads,
  type TokenizedExample,
} from "./sequence-scores.ts";
import type { Objective } from "./train-loop.ts";

/** A tokenized example with a sign: +1 learn it (SFT, retain), −1 unlearn it (gradient ascent). */
export interface SignedExample extends TokenizedExample {
  coefficient?: number;
}

/** A preference pair sharing one prompt. */
export interface PreferencePair {
  chosen: TokenizedExample;
  rejected: TokenizedExample;
}

/** An unlearning item: a forget sequence and (optionally) a retain sequence trained beside it. */
export interface ForgetRetainPair {
  forget: TokenizedExample;
  retain?: TokenizedExample;
}

const tokensOf = (...seqs: TokenizedExample[]) => seqs.reduce((a, s) => a + s.tokens.length - 1, 0);

async function backwardAll(
  scores: readonly SequenceScores[],
  grads: readonly TokenGrads[],
): Promise<void> {
  for (const [i, s] of scores.entries()) await s.backward!(grads[i]!);
}

/**
 * Signed token cross-entropy over a micro-batch (one denominator for all rows): SFT when every
 * coefficient is +1, UPCORE's GA when forget rows have −1, refusal SFT on refusal completions.
 */
export function tokenObjective(
  options: { labelSmoothing?: number } = {},
): Objective<SignedExample> {
  return async (model, batch, ctx) => {
    const scores: SequenceScores[] = [];
    for (const e of batch)
      scores.push(await scoreSequence(model, e, { train: true, rng: ctx.rng }));
    const r = tokenCrossEntropy(scores, {
      coefficients: batch.map((e) => e.coefficient ?? 1),
      ...(options.labelSmoothing !== undefined ? { labelSmoothing: options.labelSmoothing } : {}),
    });
    await backwardAll(scores, r.grads);
    return { loss: r.loss, tokens: tokensOf(...batch) };
  };
}

/** Supervised fine-tuning: mean NLL of the completions. */
export function sftObjective(): Objective<TokenizedExample> {
  return tokenObjective();
}

/** Gradient ascent on forget sequences (the loss reported is the negated NLL). */
export function gradientAscentObjective(): Objective<TokenizedExample> {
  const inner = tokenObjective();
  return (model, batch, ctx) =>
    inner(
      model,
      batch.map((e) => ({ ...e, coefficient: -1 })),
      ctx,
    );
}

/** Gradient difference: −CE(forget) + w·CE(retain). */
export function gradientDifferenceObjective(
  weights: { forget?: number; retain?: number } = {},
): Objective<ForgetRetainPair> {
  return async (model, batch, ctx) => {
    const forget: SequenceScores[] = [];
    const retain: SequenceScores[] = [];
    for (const p of batch) {
      forget.push(await scoreSequence(model, p.forget, { train: true, rng: ctx.rng }));
      if (p.retain)
        retain.push(await scoreSequence(model, p.retain, { train: true, rng: ctx.rng }));
    }
    if (retain.length === 0) throw new Error("gradient difference needs retain sequences");
    const r = gradientDifferenceLoss(forget, retain, weights);
    await backwardAll(forget, r.forget);
    await backwardAll(retain, r.retain);
    const seqs = batch.flatMap((p) => (p.retain ? [p.forget, p.retain] : [p.forget]));
    return { loss: r.loss, tokens: tokensOf(...seqs) };
  };
}

/**
 * DPO (+ optional NLL on the chosen completion, LASeR/RPO's `λ·NLL/|y_w|`). Reference log-probs
 * come from `reference` (computed once, cached). Reports the mean margin and pair accuracy.
 */
export function dpoObjective(options: {
  beta: number;
  reference: ReferenceLogProbs;
  nllWeight?: number;
}): Objective<PreferencePair> {
  return async (model, batch, ctx) => {
    const refC = await options.reference.sums(batch.map((p) => p.chosen));
    const refR = await options.reference.sums(batch.map((p) => p.rejected));
    const chosen: SequenceScores[] = [];
    const rejected: SequenceScores[] = [];
    for (const p of batch) {
      chosen.push(await scoreSequence(model, p.chosen, { train: true, rng: ctx.rng }));
      rejected.push(await scoreSequence(model, p.rejected, { train: true, rng: ctx.rng }));
    }
    const r = dpoLoss(
      batch.map((_, i) => ({
        chosen: chosen[i]!.sum,
        rejected: rejected[i]!.sum,
        refChosen: refC[i]!,
        refRejected: refR[i]!,
      })),
      options.beta,
    );
    const lam = options.nllWeight ?? 0;
    let loss = r.loss;
    const n = batch.length;
    const gc = chosen.map((s, i) => {
      const g = sumGrads(s.target.length, r.dChosen[i]!);
      if (lam > 0) {
        // λ·mean_pairs(−log π(y_w)/|y_w|)
        const len = s.target.length;
        loss += (lam * -s.sum) / len / n;
        for (let k = 0; k < len; k++) g.target[k]! += -lam / len / n;
      }
      return g;
    });
    await backwardAll(chosen, gc);
    await backwardAll(
      rejected,
      rejected.map((s, i) => sumGrads(s.target.length, r.dRejected[i]!)),
    );
    return {
      loss,
      tokens: tokensOf(...batch.flatMap((p) => [p.chosen, p.rejected])),
      metrics: { margin: r.margin, accuracy: r.accuracy },
    };
  };
}

/**
 * NPO on forget sequences (β, frozen reference) plus `retainWeight`·CE on retain sequences
 * (UPCORE's npo_grad_diff when retain rows are given).
 */
export function npoObjective(options: {
  beta: number;
  reference: ReferenceLogProbs;
  retainWeight?: number;
}): Objective<ForgetRetainPair> {
  return async (model, batch, ctx) => {
    const ref = await options.reference.sums(batch.map((p) => p.forget));
    const forget: SequenceScores[] = [];
    for (const p of batch)
      forget.push(await scoreSequence(model, p.forget, { train: true, rng: ctx.rng }));
    const r = npoLoss(
      forget.map((s) => s.sum),
      ref,
      options.beta,
    );
    await backwardAll(
      forget,
      forget.map((s, i) => sumGrads(s.target.length, r.dLogp[i]!)),
    );
    let loss = r.loss;
    const retainEx = batch.flatMap((p) => (p.retain ? [p.retain] : []));
    if (retainEx.length > 0 && (options.retainWeight ?? 1) > 0) {
      const w = options.retainWeight ?? 1;
      const retain: SequenceScores[] = [];
      for (const e of retainEx)
        retain.push(await scoreSequence(model, e, { train: true, rng: ctx.rng }));
      const ce = tokenCrossEntropy(retain);
      loss += w * ce.loss;
      await backwardAll(
        retain,
        ce.grads.map((g) => ({
          target: g.target.map((x) => x * w),
          mean: g.mean.map((x) => x * w),
        })),
      );
    }
    return { loss, tokens: tokensOf(...batch.map((p) => p.forget), ...retainEx) };
  };
}
