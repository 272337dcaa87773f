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
 * PBT's set: accept and resist pairs each truncated to min(|accept|, |resist|), concatenated and
 * shuffled (seeded). Empty when either side has none.
 */
export function balancePairs(pairs: readonly PersuasionPair[], seed = 12): PersuasionPair[] {
  const accept = ofCode(pairs, "accept");
  const resist = ofCode(pairs, "resist");
  const k = Math.min(accept.length, resist.length);
  return new SeededRandom(seed).shuffle([...accept.slice(0, k), ...resist.slice(0, k)]);
}

/**
 * A variant's training set. The one-sided baselines are "limited": cut to the balanced set's size
 * (2·min) so comparisons are not confounded by data size; with fewer pairs of that side they keep
 * all they have (`limited` false).
 */
export function variantPairs(
  pairs: readonly PersuasionPair[],
  variant: PairVariant,
  seed = 12,
): { pairs: PersuasionPair[]; limited: boolean } {
  const balanced = balancePairs(pairs, seed);
  if (variant === "pbt") return { pairs: balanced, limited: true };
  const side = ofCode(pairs, variant === "accept-only" ? "accept" : "resist");
  const size = balanced.length;
  return {
    pairs: new SeededRandom(seed).shuffle(side.slice(0, size)),
    limited: side.length >= size,
  };
}
