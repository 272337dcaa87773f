/**
 * Percentile of sorted values with numpy's default ("linear") interpolation: position
 * p/100·(n−1) between the two neighbouring order statistics.
 */
export function percentileSorted(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new Error("percentile of an empty history");
  const pos = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (pos - lo) * (sorted[hi]! - sorted[lo]!);
}

/** Inserts `value` into an ascending array in place (binary search), keeping it sorted. */
export function insertSorted(sorted: number[], value: number): void {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= value) lo = mid + 1;
    else hi = mid;
  }
  sorted.splice(lo, 0, value);
}

/**
 * LASeR's bandit-reward scaling (Graves et al. 2017's automated-curriculum quantiles), as in the
 * official `linucb.py`: with fewer than two rewards in the history the reward is returned
 * unscaled; otherwise it is clipped to [0, 1] between the 20th and 80th percentiles of the
 * history, which already holds the current reward. Without this, −loss drifts upward as the
 * policy trains and LinUCB credits whichever arm happened to be chosen late.
 * When the two percentiles coincide (the official code divides by zero) a reward equal to them
 * scales to 0.5.
 */
export function quantileNormalise(
  reward: number,
  sortedHistory: readonly number[],
  quantiles: readonly [number, number] = [20, 80],
): number {
  if (sortedHistory.length < 2) return reward;
  const qLo = percentileSorted(sortedHistory, quantiles[0]);
  const qHi = percentileSorted(sortedHistory, quantiles[1]);
  if (reward < qLo) return 0;
  if (reward > qHi) return 1;
  if (qHi === qLo) return 0.5;
  return (reward - qLo) / (qHi - qLo);
}
