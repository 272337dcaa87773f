/**
 * Picks the next document type so the corpus holds its token shares: the type furthest below
 * `share × (tokens so far + 1)`. Deterministic, and exact to within one document at every prefix
 * (a random draw per document would drift by ~√n documents).
 */
export function nextByDeficit<T extends string>(
  shares: Readonly<Record<T, number>>,
  produced: Readonly<Record<T, number>>,
  total: number,
): T {
  let best: T | undefined;
  let deficit = Number.NEGATIVE_INFINITY;
  for (const type of Object.keys(shares) as T[]) {
    if (shares[type] <= 0) continue;
    const d = shares[type] * (total + 1) - produced[type];
    if (d > deficit) [best, deficit] = [type, d];
  }
  if (best === undefined) throw new RangeError("a corpus mix needs at least one share > 0");
  return best;
}
