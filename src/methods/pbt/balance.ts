import { SeededRandom } from "../../math/seeded-random.ts";
import type { DialogueTree } from "./dialogue-tree.ts";
import type { PairCode, PersuasionPair } from "./sibling-pairs.ts";

/** The training variants: PBT's balanced set and the two one-sided baselines (size-matched). */
export type PairVariant = "pbt" | "accept-only" | "resist-only";
export const pairVariants: readonly PairVariant[] = ["pbt", "accept-only", "resist-only"];

/** Trees split 70/15/15 in load order (spec 3.5), so no question is in two splits. */
export function splitTrees<T extends DialogueTree>(
  trees: readonly T[],
): { train: T[]; dev: T[]; test: T[] } {
  const nTrain = Math.floor(trees.length * 0.7);
  const nDev = Math.floor(trees.length * 0.15);
  return {
    train: trees.slice(0, nTrain),
    dev: trees.slice(nTrain, nTrain + nDev),
    test: trees.slice(nTrain + nDev),
  };
}

const ofCode = (pairs: readonly PersuasionPair[], code: PairCode) =>
  pairs.filter((p) => p.code === code);

/**
 * PBT's set: accept and resist pairs each truncated to `perSide` (default and at most
 * min(|accept|, |resist|)), concatenated and shuffled (seeded). Empty when either side has none.
 */
export function balancePairs(
  pairs: readonly PersuasionPair[],
  seed = 12,
  perSide = Number.POSITIVE_INFINITY,
): PersuasionPair[] {
  const accept = ofCode(pairs, "accept");
  const resist = ofCode(pairs, "resist");
  const k = Math.min(accept.length, resist.length, perSide);
  return new SeededRandom(seed).shuffle([...accept.slice(0, k), ...resist.slice(0, k)]);
}

/**
 * How the variants' training sets are size-matched. `balanced` (the spec's, 3.5): PBT gets
 * min(|accept|, |resist|) of each side and each one-sided baseline is cut to that total (2·min),
 * keeping all it has when its side is smaller, so PBT can see up to twice the pairs of a baseline.
 * `smallest`: every variant gets the same count, min(2·min, |accept|, |resist|) rounded down to
 * even, PBT half of it from each side: equal data at the cost of using less of it.
 */
export type SizeMatch = "balanced" | "smallest";
export const sizeMatches: readonly SizeMatch[] = ["balanced", "smallest"];

/**
 * A variant's training set. The one-sided baselines are "limited": cut to the size `sizeMatch`
 * names so comparisons are not confounded by data size; with fewer pairs of that side they keep
 * all they have (`limited` false).
 */
export function variantPairs(
  pairs: readonly PersuasionPair[],
  variant: PairVariant,
  seed = 12,
  sizeMatch: SizeMatch = "balanced",
): { pairs: PersuasionPair[]; limited: boolean } {
  const accept = ofCode(pairs, "accept");
  const resist = ofCode(pairs, "resist");
  const perSide = Math.min(accept.length, resist.length);
  const size =
    sizeMatch === "balanced"
      ? 2 * perSide
      : 2 * Math.floor(Math.min(2 * perSide, accept.length, resist.length) / 2);
  if (variant === "pbt") return { pairs: balancePairs(pairs, seed, size / 2), limited: true };
  const side = variant === "accept-only" ? accept : resist;
  return {
    pairs: new SeededRandom(seed).shuffle(side.slice(0, size)),
    limited: side.length >= size,
  };
}
