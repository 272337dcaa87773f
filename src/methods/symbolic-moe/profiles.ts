/** keyword → score: +1 per correct validation answer on a question with that keyword, −1 per wrong. */
export type ModelProfile = Record<string, number>;

/**
 * Profiles of every model from its validation correctness and the questions' keywords.
 * `correct[model][i]` is whether `model` answered validation question i correctly.
 */
export function buildProfiles(
  correct: Readonly<Record<string, readonly boolean[]>>,
  keywords: readonly (readonly string[])[],
): Record<string, ModelProfile> {
  const profiles: Record<string, ModelProfile> = {};
  for (const [model, answers] of Object.entries(correct)) {
    const profile: ModelProfile = {};
    keywords.forEach((words, i) => {
      const delta = answers[i] ? 1 : -1;
      for (const w of words) profile[w] = (profile[w] ?? 0) + delta;
    });
    profiles[model] = profile;
  }
  return profiles;
}

/**
 * Global competence as a distribution: G_m = Σ profile values; if min G < 0 every G is shifted by
 * −min + 1; p_m = G'_m^(1/τ) / Σ G'^(1/τ) (τ = 0.5 squares them: a power normalisation, not a
 * softmax). All-zero scores give the uniform distribution.
 */
export function globalCompetence(
  profiles: Readonly<Record<string, ModelProfile>>,
  tau = 0.5,
): Record<string, number> {
  const names = Object.keys(profiles);
  const g = names.map((n) => Object.values(profiles[n]!).reduce((a, b) => a + b, 0));
  const min = Math.min(...g);
  const shifted = min < 0 ? g.map((x) => x - min + 1) : g;
  const powered = shifted.map((x) => x ** (1 / tau));
  const total = powered.reduce((a, b) => a + b, 0);
  return Object.fromEntries(
    names.map((n, i) => [n, total > 0 ? powered[i]! / total : 1 / names.length]),
  );
}
