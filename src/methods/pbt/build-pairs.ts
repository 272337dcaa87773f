import { DataError } from "../../model/errors.ts";
import {
  type PairVariant,
  pairVariants,
  type SizeMatch,
  splitTrees,
  variantPairs,
} from "./balance.ts";
import type { DialogueFormat } from "./dialogue-format.ts";
import type { AnswerSlots, DialogueTree } from "./dialogue-tree.ts";
import { collectPairs, type PairCounts, type PersuasionPair } from "./sibling-pairs.ts";

/** Every split's pairs, the training sets of the three variants, and why pairs were dropped. */
export interface PairSets {
  /** All pairs of each split, before balancing. */
  all: { train: PersuasionPair[]; dev: PersuasionPair[]; test: PersuasionPair[] };
  /** Training set per variant (PBT balanced; one-sided ones size-matched when possible). */
  train: Record<PairVariant, PersuasionPair[]>;
  /** Whether each one-sided set reached the balanced set's size. */
  limited: Record<PairVariant, boolean>;
  /** Balanced dev and test sets (CtI = resist, ItC = accept). */
  dev: PersuasionPair[];
  test: PersuasionPair[];
  counts: Record<"train" | "dev" | "test", PairCounts>;
}

export interface BuildPairsOptions {
  format: DialogueFormat;
  threshold?: number;
  seed?: number;
  answers?: ReadonlyMap<string, AnswerSlots[]>;
  /** How the training variants are size-matched (default the spec's `balanced`). */
  sizeMatch?: SizeMatch;
}

/**
 * Splits trees 70/15/15 by question, extracts each split's pairs and balances them (spec 3.5).
 * @throws DataError with the counts when there are no trees, or no balanced training pairs
 *   (no accept or no resist pair over the threshold).
 */
export function buildPairSets(
  trees: readonly DialogueTree[],
  options: BuildPairsOptions,
): PairSets {
  if (trees.length === 0) throw new DataError("no dialogue trees to make pairs from");
  const split = splitTrees(trees);
  const pairOptions = {
    format: options.format,
    ...(options.threshold !== undefined ? { threshold: options.threshold } : {}),
    ...(options.answers ? { answers: options.answers } : {}),
  };
  const made = {
    train: collectPairs(split.train, pairOptions),
    dev: collectPairs(split.dev, pairOptions),
    test: collectPairs(split.test, pairOptions),
  };
  const seed = options.seed ?? 12;
  const train = {} as Record<PairVariant, PersuasionPair[]>;
  const limited = {} as Record<PairVariant, boolean>;
  for (const v of pairVariants) {
    const r = variantPairs(made.train.pairs, v, seed, options.sizeMatch);
    train[v] = r.pairs;
    limited[v] = r.limited;
  }
  const counts = { train: made.train.counts, dev: made.dev.counts, test: made.test.counts };
  if (train.pbt.length === 0)
    throw new DataError(
      `no balanced training pairs from ${split.train.length} training trees: ${made.train.counts.accept} accept and ${made.train.counts.resist} resist pairs (${describeDrops(made.train.counts)}); grow more trees, or lower --threshold`,
    );
  return {
    all: { train: made.train.pairs, dev: made.dev.pairs, test: made.test.pairs },
    train,
    limited,
    dev: variantPairs(made.dev.pairs, "pbt", seed).pairs,
    test: variantPairs(made.test.pairs, "pbt", seed).pairs,
    counts,
  };
}

/** "12 comparisons: 3 below the threshold, …" for error messages and reports. */
export function describeDrops(c: PairCounts): string {
  return (
    `${c.comparisons} sibling comparisons in ${c.trees} trees (${c.treesAllAgreement} all-agreement trees dropped): ` +
    `${c.differentChildren} with different child counts, ${c.bothFullyCorrect} both fully correct, ` +
    `${c.belowThreshold} below the threshold, ${c.noPreviousTurn} first answers, ${c.uncoded} neither accept nor resist, ` +
    `${c.sameText} identical replies, ${c.duplicates} duplicates`
  );
}
