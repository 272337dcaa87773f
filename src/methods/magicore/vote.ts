import type { Solution } from "./solution.ts";

/**
 * Most frequent answer by plain count, the unparseable (null) answers forming their own bucket;
 * ties go to the answer seen first.
 */
export function majorityAnswer(answers: readonly (string | null)[]): string | null {
  const counts = new Map<string | null, number>();
  for (const a of answers) counts.set(a, (counts.get(a) ?? 0) + 1);
  let best: string | null = null;
  let bestCount = 0;
  for (const [a, c] of counts) {
    if (c > bestCount) {
      best = a;
      bestCount = c;
    }
  }
  return best;
}

/** Per answer, the summed weight of its solutions (null answers left out), in first-seen order. */
export function answerMasses(
  pool: readonly Solution[],
  weight: (s: Solution) => number,
): Map<string, number> {
  const masses = new Map<string, number>();
  for (const s of pool) {
    if (s.answer === null || s.answer === "") continue;
    masses.set(s.answer, (masses.get(s.answer) ?? 0) + weight(s));
  }
  return masses;
}

/** argmax over answers of Σ (ORM + Π PRM), ignoring empty answers; ties → first seen. */
export function weightedVote(pool: readonly Solution[]): string | null {
  let best: string | null = null;
  let bestMass = Number.NEGATIVE_INFINITY;
  for (const [answer, mass] of answerMasses(pool, (s) => s.reward)) {
    if (mass > bestMass) {
      best = answer;
      bestMass = mass;
    }
  }
  return best;
}

/** Top k by R, descending; equal R keeps the earlier solution first (old pool before refined). */
export function topK(candidates: readonly Solution[], k: number): Solution[] {
  return candidates
    .map((s, i) => ({ s, i }))
    .sort((a, b) => b.s.reward - a.s.reward || a.i - b.i)
    .slice(0, k)
    .map(({ s }) => s);
}
