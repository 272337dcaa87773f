/** Python's round(): halves go to the even neighbour (round(2.5) == 2). */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** The outcome of a self-consistency vote. */
export interface VoteResult {
  accepted: boolean;
  /** The winning key, and the index of its first sample. */
  key?: string;
  index?: number;
  /** Size of the largest group. */
  count: number;
  threshold: number;
}

/**
 * Self-consistency vote over parsed outputs (spec 3.3): unparsable samples (undefined) are
 * dropped but still count in the threshold, which is round(voteFrac * votes) of the votes
 * *requested*. Ties between groups go to the group seen first.
 */
export function majorityVote(
  keys: readonly (string | undefined)[],
  votes: number,
  voteFrac: number,
): VoteResult {
  const threshold = roundHalfEven(voteFrac * votes);
  const groups = new Map<string, { count: number; index: number }>();
  keys.forEach((key, index) => {
    if (key === undefined) return;
    const group = groups.get(key);
    if (group) group.count++;
    else groups.set(key, { count: 1, index });
  });
  let best: { key: string; count: number; index: number } | undefined;
  for (const [key, group] of groups)
    if (!best || group.count > best.count) best = { key, ...group };
  if (!best) return { accepted: false, count: 0, threshold };
  return {
    accepted: best.count >= threshold,
    key: best.key,
    index: best.index,
    count: best.count,
    threshold,
  };
}
