/** One scored solution in a MAgICoRe pool. */
export interface Solution {
  text: string;
  steps: string[];
  /** Canonical answer (vote bucket), or null when none could be parsed. */
  answer: string | null;
  /** Outcome reward in [0, 1]. */
  orm: number;
  /** Process reward per step (`[0]` when the answer is unparseable, as the official annotator). */
  prm: number[];
  /** Product of the step scores. */
  prmProduct: number;
  /** R = ORM + Π PRM, in [0, 2]. */
  reward: number;
}

/** Dataset normalization statistics of R (population mean and standard deviation). */
export interface RewardStats {
  mu: number;
  sigma: number;
}

/** Builds a Solution from its parts, computing the product and R. */
export function makeSolution(
  text: string,
  steps: string[],
  answer: string | null,
  orm: number,
  prm: number[],
): Solution {
  const scores = answer === null ? [0] : prm;
  const prmProduct = scores.reduce((a, b) => a * b, 1);
  return { text, steps, answer, orm, prm: scores, prmProduct, reward: orm + prmProduct };
}

/**
 * μ, σ over the first solution of each problem (σ is the population std). Needs at least one
 * problem; a σ of 0 (one problem, or identical rewards) is reported as is and treated as 1 by
 * the classifier.
 */
export function rewardStats(firstSolutions: readonly Solution[]): RewardStats {
  const values = firstSolutions.map((s) => s.reward);
  const n = values.length;
  if (n === 0) return { mu: 0, sigma: 1 };
  const mu = values.reduce((a, b) => a + b, 0) / n;
  const variance = values.reduce((a, b) => a + (b - mu) ** 2, 0) / n;
  return { mu, sigma: Math.sqrt(variance) };
}
