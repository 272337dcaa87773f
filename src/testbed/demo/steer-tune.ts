/** The mean-difference strengths tried on the validation draw (α = 1 adds the full mean difference). */
export const alphaGrid = [0.25, 0.5, 1, 2, 4, 8] as const;

/** How far validation closed-book QA accuracy may fall below unsteered for an α to qualify. */
export const qaDropAllowed = 0.05;

/** What one α scored on the validation draw (accuracies as shares). */
export interface AlphaScore {
  alpha: number;
  /** Mean attribute accuracy on undesirable-persona validation items. */
  accuracy: number;
  /** Closed-book QA accuracy on neutral validation prompts. */
  qa: number;
}

/**
 * The mean-difference baseline's strength, tuned on the validation draw only (never the eval
 * items): the α with the best attribute accuracy among those that keep QA accuracy within 5
 * points of unsteered (ITI tunes its strength against informativeness the same way); ties go to
 * the smaller α. If no α keeps QA, the smallest α.
 */
export function chooseAlpha(scores: readonly AlphaScore[], unsteeredQa: number): number {
  if (scores.length === 0) throw new RangeError("chooseAlpha needs at least one scored α");
  const sorted = [...scores].sort((a, b) => a.alpha - b.alpha);
  const keeps = sorted.filter((s) => s.qa >= unsteeredQa - qaDropAllowed - 1e-12);
  if (keeps.length === 0) return sorted[0]!.alpha;
  return keeps.reduce((best, s) => (s.accuracy > best.accuracy + 1e-12 ? s : best)).alpha;
}
