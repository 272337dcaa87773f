import type { TopLogprob } from "../../model/language-model.ts";
import type { ContextDecoding } from "./context-decoding.ts";
import { flooredAlpha } from "./contrastive-logits.ts";
import { jensenShannonProbabilities } from "./jensen-shannon.ts";
import { sampleNucleus } from "./token-choice.ts";

/** One approximate step computed from two top-k logprob lists. */
export interface ApproximateStep {
  /** Chosen token text (a context top-k candidate). */
  token: string;
  /** The context stream's own top token. */
  contextArgmax: string;
  /** JSD over (shared tokens ∪ REST): a lower bound of the full-vocabulary JSD. */
  jsd: number;
  alpha: number;
  /**
   * True when the choice is provably the full method's choice among the context candidates: the
   * winner's score is exact and no other candidate's score can exceed it. A candidate missing from
   * the plain list has an unbounded score when α > 0, so this diagnostic is conservative.
   */
  certified: boolean;
}

/** Collapses duplicate token texts (two ids can print the same) keeping the larger logprob. */
function byToken(list: readonly TopLogprob[]): Map<string, number> {
  const map = new Map<string, number>();
  for (const { token, logprob } of list) {
    const seen = map.get(token);
    if (seen === undefined || logprob > seen) map.set(token, logprob);
  }
  return map;
}

/**
 * Lower bound of JSD(p, q) from top-k lists: coarse-grain both distributions onto the tokens
 * listed in both plus one REST bucket (REST = 1 − listed mass). Coarse-graining is exact, so by the
 * data-processing inequality the result never exceeds the true JSD. No missing entry is guessed.
 */
export function topKJensenShannon(
  context: readonly TopLogprob[],
  plain: readonly TopLogprob[],
): number {
  const c = byToken(context);
  const n = byToken(plain);
  const p: number[] = [];
  const q: number[] = [];
  let massP = 0;
  let massQ = 0;
  for (const [token, lc] of c) {
    const ln = n.get(token);
    if (ln === undefined) continue;
    const pi = Math.exp(lc);
    const qi = Math.exp(ln);
    p.push(pi);
    q.push(qi);
    massP += pi;
    massQ += qi;
  }
  p.push(Math.max(0, 1 - massP));
  q.push(Math.max(0, 1 - massQ));
  return jensenShannonProbabilities(p, q);
}

/**
 * One AdaCAD/CAD step from top-k logprobs (logprobs stand in for logits: the shift is constant).
 * Candidates are the context list; a candidate absent from the plain list gets the smallest
 * listed plain logprob, which under-estimates its score (conservative, per the spec).
 */
export function approximateStep(
  context: readonly TopLogprob[],
  plain: readonly TopLogprob[],
  decoding: ContextDecoding,
  random: () => number,
): ApproximateStep {
  const c = byToken(context);
  const n = byToken(plain);
  const candidates = [...c.entries()].sort((x, y) => y[1] - x[1]);
  const top = candidates[0];
  if (top === undefined) throw new RangeError("the context stream returned no top logprobs");
  const contextArgmax = top[0];
  if (decoding.kind === "greedy") {
    return { token: contextArgmax, contextArgmax, jsd: Number.NaN, alpha: 0, certified: true };
  }
  const jsd = decoding.kind === "adacad" ? topKJensenShannon(context, plain) : Number.NaN;
  const alpha =
    decoding.kind === "adacad" ? flooredAlpha(jsd, decoding.alphaFloor ?? 0) : decoding.alpha;
  let floorN = Number.POSITIVE_INFINITY;
  for (const ln of n.values()) floorN = Math.min(floorN, ln);
  if (!Number.isFinite(floorN)) floorN = 0;
  const scores = candidates.map(([token, lc]) => {
    const ln = n.get(token);
    return {
      token,
      exact: ln !== undefined || alpha === 0,
      score: (1 + alpha) * lc - alpha * (ln ?? floorN),
    };
  });
  let winner = 0;
  const topP = decoding.topP ?? 0;
  if (topP > 0) {
    winner = sampleNucleus(
      scores.map((s) => s.score),
      topP,
      random,
    );
  } else {
    for (let i = 1; i < scores.length; i++) {
      if (scores[i]!.score > scores[winner]!.score) winner = i;
    }
  }
  const chosen = scores[winner]!;
  const certified =
    chosen.exact && scores.every((s, i) => i === winner || (s.exact && s.score <= chosen.score));
  return { token: chosen.token, contextArgmax, jsd, alpha, certified };
}
