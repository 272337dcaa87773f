import type { SeededRandom } from "../../math/seeded-random.ts";
import type { ModelProfile } from "./profiles.ts";

/** How a recruitment was decided, for the run record. */
export interface Recruitment {
  experts: string[];
  /** "local" (positive local scores), "shifted" (all ≤ 0), or "uniform" (no keywords matched). */
  path: "local" | "shifted" | "uniform";
  /** Local suitability per ranked model. */
  suitability: Record<string, number>;
}

/**
 * Recruits k experts for one question (spec §3.6): local suitability S(m) = Σ profile[m][w] over
 * its mapped keywords (models without any of them are unranked); candidates with S > 0 get weight
 * S · p_m; if none, every ranked model gets (S − min S + 1) · p_m; with no ranked model, k uniform
 * draws. Draws are i.i.d. WITH replacement. Zero total weight falls back to uniform over the
 * candidates.
 */
export function recruitExperts(
  keywords: readonly string[],
  profiles: Readonly<Record<string, ModelProfile>>,
  competence: Readonly<Record<string, number>>,
  k: number,
  rng: SeededRandom,
): Recruitment {
  const models = Object.keys(profiles);
  const suitability: Record<string, number> = {};
  for (const m of models) {
    let matched = false;
    let score = 0;
    for (const w of keywords) {
      const value = profiles[m]![w];
      if (value === undefined) continue;
      matched = true;
      score += value;
    }
    if (matched) suitability[m] = score;
  }
  const ranked = Object.keys(suitability);
  if (ranked.length === 0)
    return {
      experts: Array.from({ length: k }, () => models[rng.int(models.length)]!),
      path: "uniform",
      suitability,
    };
  let candidates = ranked.filter((m) => suitability[m]! > 0);
  let path: Recruitment["path"] = "local";
  let weights: number[];
  if (candidates.length > 0)
    weights = candidates.map((m) => suitability[m]! * (competence[m] ?? 0));
  else {
    path = "shifted";
    candidates = ranked;
    const min = Math.min(...ranked.map((m) => suitability[m]!));
    weights = ranked.map((m) => (suitability[m]! - min + 1) * (competence[m] ?? 0));
  }
  if (!(weights.reduce((a, b) => a + b, 0) > 0)) weights = candidates.map(() => 1);
  return {
    experts: Array.from({ length: k }, () => candidates[rng.weighted(weights)]!),
    path,
    suitability,
  };
}

/**
 * The optional efficiency pruning (off by default, unused by the official main script): over all
 * recruitments, a model recruited with frequency < `threshold` is replaced by a frequent model
 * drawn in proportion to the frequent models' counts.
 */
export function pruneRareExperts(
  recruitments: readonly string[][],
  threshold: number,
  rng: SeededRandom,
): string[][] {
  const counts = new Map<string, number>();
  let total = 0;
  for (const experts of recruitments)
    for (const e of experts) {
      counts.set(e, (counts.get(e) ?? 0) + 1);
      total++;
    }
  const frequent = [...counts].filter(([, c]) => c / total >= threshold);
  if (frequent.length === 0) return recruitments.map((r) => [...r]);
  const weights = frequent.map(([, c]) => c);
  return recruitments.map((experts) =>
    experts.map((e) =>
      (counts.get(e) ?? 0) / total < threshold ? frequent[rng.weighted(weights)]![0] : e,
    ),
  );
}
