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

/** A pool member's scores as a run record keeps them: its answer, ORM and PRM per step. */
export interface ScoredAnswer {
  answer: string | null;
  orm: number;
  /** The PRM's score of each step, in order (`[0]` for an unparseable answer). */
  prm: number[];
}

const places = (x: number) => Number(x.toFixed(4));

/** A solution's scores to 4 places, without its text: small enough for every record. */
export function scoredAnswer(s: Solution): ScoredAnswer {
  return { answer: s.answer, orm: places(s.orm), prm: s.prm.map(places) };
}
