import type { RewardStats, Solution } from "./solution.ts";
import { answerMasses, majorityAnswer } from "./vote.ts";

/** How the two hardness signals combine: both (official code, default) or either. */
export type HardRule = "and" | "or";

/**
 * What to do when no solution in the pool has the iteration-0 majority answer (the official code
 * takes the mean of an empty set, NaN, and so calls the problem easy by accident):
 * "recompute" the majority on the current pool (default), treat it as "lowQuality", or "easy"
 * (code parity).
 */
export type EmptyMajority = "recompute" | "lowQuality" | "easy";

/** The classifier's decision and the numbers behind it, recorded per problem and iteration. */
export interface Difficulty {
  hard: boolean;
  lowQuality: boolean;
  lowConfidence: boolean;
  /** Mean z-score of the majority-answer solutions (null when there were none). */
  meanZ: number | null;
  confidenceOrm: number;
  confidencePrm: number;
  /** The majority answer condition 1 used. */
  majority: string | null;
}

/** Shannon entropy (natural log) of a mass vector normalized to a distribution; -1 if all zero. */
export function massEntropy(masses: readonly number[]): number {
  const total = masses.reduce((a, b) => a + b, 0);
  if (!(total > 0)) return -1;
  let h = 0;
  for (const m of masses) {
    if (m <= 0) continue;
    const p = m / total;
    h -= p * Math.log(p);
  }
  return h;
}

/**
 * 2 · (1 − sigmoid(H)) ∈ (0, 1]; a pool with no mass at all (every weight 0) has confidence 0.
 */
export function answerConfidence(masses: readonly number[]): number {
  const h = massEntropy(masses);
  if (h < 0) return 0;
  return 2 * (1 - 1 / (1 + Math.exp(-h)));
}

/**
 * Easy/hard per spec 3.3: condition 1 = mean z-score of the majority answer's solutions < 0;
 * condition 2 = ORM- or PRM-weighted answer confidence < 0.5 (strict); hard = 1 AND 2 (or OR).
 */
export function classifyDifficulty(
  pool: readonly Solution[],
  majority: string | null,
  stats: RewardStats,
  options: {
    rule?: HardRule;
    emptyMajority?: EmptyMajority;
    equivalent?: (a: string | null, b: string | null) => boolean;
  } = {},
): Difficulty {
  const equivalent = options.equivalent ?? ((a, b) => a === b);
  const sigma = stats.sigma > 0 ? stats.sigma : 1;
  let used = majority;
  let members = pool.filter((s) => equivalent(s.answer, used));
  if (members.length === 0 && (options.emptyMajority ?? "recompute") === "recompute") {
    used = majorityAnswer(pool.map((s) => s.answer));
    members = pool.filter((s) => equivalent(s.answer, used));
  }
  let meanZ: number | null = null;
  let lowQuality: boolean;
  if (members.length === 0) lowQuality = options.emptyMajority === "lowQuality";
  else {
    meanZ =
      members.reduce((sum, s) => sum + (s.orm + s.prmProduct - stats.mu) / sigma, 0) /
      members.length;
    lowQuality = meanZ < 0;
  }
  const confidenceOrm = answerConfidence([...answerMasses(pool, (s) => s.orm).values()]);
  const confidencePrm = answerConfidence([...answerMasses(pool, (s) => s.prmProduct).values()]);
  const lowConfidence = confidenceOrm < 0.5 || confidencePrm < 0.5;
  const hard =
    (options.rule ?? "and") === "and" ? lowQuality && lowConfidence : lowQuality || lowConfidence;
  return { hard, lowQuality, lowConfidence, meanZ, confidenceOrm, confidencePrm, majority: used };
}
