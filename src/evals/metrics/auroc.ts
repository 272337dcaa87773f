/**
 * Area under the ROC curve of scores that should be higher for `positives` than for
 * `negatives`: the probability that a random positive outscores a random negative, ties counting
 * one half (the Mann–Whitney U statistic over n₊·n₋). NaN when either side is empty.
 */
export function auroc(positives: readonly number[], negatives: readonly number[]): number {
  if (positives.length === 0 || negatives.length === 0) return Number.NaN;
  const all = [
    ...positives.map((score) => ({ score, positive: true })),
    ...negatives.map((score) => ({ score, positive: false })),
  ].sort((a, b) => a.score - b.score);
  // Average ranks over ties, then U = R₊ − n₊(n₊+1)/2.
  let rankSumPositive = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j + 1 < all.length && all[j + 1]!.score === all[i]!.score) j++;
    const meanRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (all[k]!.positive) rankSumPositive += meanRank;
    i = j + 1;
  }
  const nPos = positives.length;
  const u = rankSumPositive - (nPos * (nPos + 1)) / 2;
  return u / (nPos * negatives.length);
}
