import {
  dpoLoss,
  gradientDifferenceLoss,
  npoLoss,
  type TokenGrads,
  tokenCrossEntropy,
} from "./losses.ts";
import type { ReferenceLogProbs } from "./reference-logprobs.ts";
import { scoreAndBackprop } from "./score-and-backprop.ts";
import { sumGrads, type TokenizedExample } from "./sequence-scores.ts";
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

/**
 * Every objective runs its micro-batch as ONE packed forward and ONE backward (all its
 * sequences: DPO's chosen and rejected, NPO's forget and retain); `maxRowsPerForward` caps the
 * rows a forward holds activations for (default: ~1 GiB of them, see `defaultMaxRows`), above
 * which the batch is scored in chunks and re-run chunk by chunk for the backward.
 */
export interface BatchingOptions {
  maxRowsPerForward?: number;
}

const tokensOf = (...seqs: TokenizedExample[]) => seqs.reduce((a, s) => a + s.tokens.length - 1, 0);

const scaled = (g: TokenGrads, s: number): TokenGrads => ({
  target: g.target.map((x) => x * s),
  mean: g.mean.map((x) => x * s),
});

/**
 * Signed token cross-entropy over a micro-batch (one denominator for all rows): SFT when every
 * coefficient is +1, UPCORE's GA when forget rows have −1, refusal SFT on refusal completions.
 */
export function tokenObjective(
  options: { labelSmoothing?: number } & BatchingOptions = {},
): Objective<SignedExample> {
  return async (model, batch, ctx) => {
    const r = await scoreAndBackprop(
      model,
      batch,
      ctx.rng,
      (scores) =>
        tokenCrossEntropy(scores, {
          coefficients: batch.map((e) => e.coefficient ?? 1),
          ...(options.labelSmoothing !== undefined
            ? { labelSmoothing: options.labelSmoothing }
            : {}),
        }),
      options.maxRowsPerForward,
    );
    return { loss: r.loss, tokens: tokensOf(...batch) };
  };
}

/** Supervised fine-tuning: mean NLL of the completions. */
export function sftObjective(options: BatchingOptions = {}): Objective<TokenizedExample> {
  return tokenObjective(options);
}

/** Gradient ascent on forget sequences (the loss reported is the negated NLL). */
export function gradientAscentObjective(
  options: BatchingOptions = {},
): Objective<TokenizedExample> {
  const inner = tokenObjective(options);
  return (model, batch, ctx) =>
    inner(
      model,
      batch.map((e) => ({ ...e, coefficient: -1 })),
      ctx,
    );
}

/** Gradient difference: −CE(forget) + w·CE(retain). */
export function gradientDifferenceObjective(
  weights: { forget?: number; retain?: number } & BatchingOptions = {},
): Objective<ForgetRetainPair> {
  return async (model, batch, ctx) => {
    const retainEx = batch.flatMap((p) => (p.retain ? [p.retain] : []));
    if (retainEx.length === 0) throw new Error("gradient difference needs retain sequences");
    const forgetEx = batch.map((p) => p.forget);
    const n = forgetEx.length;
    const r = await scoreAndBackprop(
      model,
      [...forgetEx, ...retainEx],
      ctx.rng,
      (scores) => {
        const g = gradientDifferenceLoss(scores.slice(0, n), scores.slice(n), weights);
        return { loss: g.loss, grads: [...g.forget, ...g.retain] };
      },
      weights.maxRowsPerForward,
    );
    return { loss: r.loss, tokens: tokensOf(...forgetEx, ...retainEx) };
  };
}

/**
 * DPO (+ optional NLL on the chosen completion, LASeR/RPO's `λ·NLL/|y_w|`). Reference log-probs
 * come from `reference` (computed once, cached). Reports the mean margin and pair accuracy.
 */
export function dpoObjective(
  options: {
    beta: number;
    reference: ReferenceLogProbs;
    nllWeight?: number;
  } & BatchingOptions,
): Objective<PreferencePair> {
  return async (model, batch, ctx) => {
    const refC = await options.reference.sums(batch.map((p) => p.chosen));
    const refR = await options.reference.sums(batch.map((p) => p.rejected));
    const n = batch.length;
    const lam = options.nllWeight ?? 0;
    // Chosen sequences first, then rejected: one packed forward for the 2·n of them.
    const r = await scoreAndBackprop(
      model,
      [...batch.map((p) => p.chosen), ...batch.map((p) => p.rejected)],
      ctx.rng,
      (scores) => {
        const chosen = scores.slice(0, n);
        const rejected = scores.slice(n);
        const d = dpoLoss(
          batch.map((_, i) => ({
            chosen: chosen[i]!.sum,
            rejected: rejected[i]!.sum,
            refChosen: refC[i]!,
            refRejected: refR[i]!,
          })),
          options.beta,
        );
        let loss = d.loss;
        const gc = chosen.map((s, i) => {
          const g = sumGrads(s.target.length, d.dChosen[i]!);
          if (lam > 0) {
            // λ·mean_pairs(−log π(y_w)/|y_w|)
            const len = s.target.length;
            loss += (lam * -s.sum) / len / n;
            for (let k = 0; k < len; k++) g.target[k]! += -lam / len / n;
          }
          return g;
        });
        const gr = rejected.map((s, i) => sumGrads(s.target.length, d.dRejected[i]!));
        return { loss, grads: [...gc, ...gr], margin: d.margin, accuracy: d.accuracy };
      },
      options.maxRowsPerForward,
    );
    return {
      loss: r.loss,
      tokens: tokensOf(...batch.flatMap((p) => [p.chosen, p.rejected])),
      metrics: { margin: r.margin, accuracy: r.accuracy },
    };
  };
}

/**
 * NPO on forget sequences (β, frozen reference) plus `retainWeight`·CE on retain sequences
 * (UPCORE's npo_grad_diff when retain rows are given).
 */
export function npoObjective(
  options: {
    beta: number;
    reference: ReferenceLogProbs;
    retainWeight?: number;
  } & BatchingOptions,
): Objective<ForgetRetainPair> {
  return async (model, batch, ctx) => {
    const forgetEx = batch.map((p) => p.forget);
    const ref = await options.reference.sums(forgetEx);
    const w = options.retainWeight ?? 1;
    const retainEx = w > 0 ? batch.flatMap((p) => (p.retain ? [p.retain] : [])) : [];
    const n = forgetEx.length;
    const r = await scoreAndBackprop(
      model,
      [...forgetEx, ...retainEx],
      ctx.rng,
      (scores) => {
        const forget = scores.slice(0, n);
        const npo = npoLoss(
          forget.map((s) => s.sum),
          ref,
          options.beta,
        );
        const grads = forget.map((s, i) => sumGrads(s.target.length, npo.dLogp[i]!));
        let loss = npo.loss;
        if (retainEx.length > 0) {
          const ce = tokenCrossEntropy(scores.slice(n));
          loss += w * ce.loss;
          grads.push(...ce.grads.map((g) => scaled(g, w)));
        }
        return { loss, grads };
      },
      options.maxRowsPerForward,
    );
    return { loss: r.loss, tokens: tokensOf(...forgetEx, ...retainEx) };
  };
}
