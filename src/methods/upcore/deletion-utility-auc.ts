/** One model state on the deletion–utility curve. */
export interface TradeoffPoint {
  /** ROUGE-L recall on the complete forget set at this state. */
  forgetRouge: number;
  /** A utility score at the same state (neighbour ROUGE, model utility, ...). */
  utility: number;
}

/**
 * UPCORE's AUC (spec §3.5): x = 1 − forget ROUGE, y = utility; points sorted by x (time order
 * discarded), trapezoidal area, x-range not normalised.
 */
export function deletionUtilityAuc(points: readonly TradeoffPoint[]): number {
  const sorted = points
    .map((p) => ({ x: 1 - p.forgetRouge, y: p.utility }))
    .sort((a, b) => a.x - b.x);
  let area = 0;
  for (let k = 0; k + 1 < sorted.length; k++) {
    const a = sorted[k]!;
    const b = sorted[k + 1]!;
    area += ((b.x - a.x) * (a.y + b.y)) / 2;
  }
  return area;
}
