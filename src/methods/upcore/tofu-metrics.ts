/**
 * TOFU's evaluation statistics (Maini et al. 2024, "TOFU: A Task of Fictitious Unlearning"), as
 * UPCORE's Model Utility uses them (spec §3.4). Inputs are **length-normalised** negative
 * log-likelihoods: the mean token NLL of an answer given the question, so
 * P̃(a|q) = P(a|q)^(1/|a|) = exp(−meanNll).
 */

/** P̃(a|q) from a mean token NLL. */
export function normalisedProbability(meanNll: number): number {
  return Math.exp(-meanNll);
}

/**
 * Prob. of a Real Authors / World Facts item: P̃(correct) / (P̃(correct) + Σ P̃(perturbed)).
 * (Retain and forget items use P̃(correct) itself.)
 */
export function relativeProbability(answerNll: number, perturbedNlls: readonly number[]): number {
  const correct = normalisedProbability(answerNll);
  let all = correct;
  for (const nll of perturbedNlls) all += normalisedProbability(nll);
  return correct / all;
}

/**
 * TOFU's truth ratio R = mean_i P̃(perturbed_i) / P̃(reference), the reference being the
 * paraphrased answer (TOFU's retain and forget splits) or the answer itself (Real Authors,
 * World Facts). The mean is arithmetic over the perturbed answers' normalised probabilities.
 */
export function truthRatio(referenceNll: number, perturbedNlls: readonly number[]): number {
  if (perturbedNlls.length === 0) throw new RangeError("the truth ratio needs perturbed answers");
  let mean = 0;
  for (const nll of perturbedNlls) mean += normalisedProbability(nll) / perturbedNlls.length;
  return mean / normalisedProbability(referenceNll);
}

/**
 * The "Truth Ratio" statistic of one item: max(0, 1 − R) on retain-side sets (higher = the
 * model prefers the truth), min(R, 1/R) on forget-side sets (1 = indifferent, as after
 * unlearning). Averaged over the set's items.
 */
export function truthRatioScore(r: number, side: "retain" | "forget"): number {
  return side === "forget" ? Math.min(r, 1 / r) : Math.max(0, 1 - r);
}

/** scipy's `hmean`: n / Σ 1/x_i; 0 when any value is 0. Values must be ≥ 0. */
export function harmonicMean(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError("the harmonic mean of no values");
  let inverse = 0;
  for (const v of values) {
    if (!(v >= 0)) throw new RangeError(`the harmonic mean needs values ≥ 0, got ${v}`);
    if (v === 0) return 0;
    inverse += 1 / v;
  }
  return values.length / inverse;
}

/**
 * UPCORE's first-token accuracy ("gen_acc") of one item: 1 when the single greedy new token,
 * decoded without special tokens, equals the answer after strip + lowercase on both sides
 * (the reference's `fuzzy_match`), else 0. A multi-token answer therefore never matches.
 */
export function firstTokenMatch(generated: string, answer: string): number {
  return generated.trim().toLowerCase() === answer.trim().toLowerCase() ? 1 : 0;
}
