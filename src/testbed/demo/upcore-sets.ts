import { kMeans } from "../../math/k-means.ts";
import { deriveSeed, SeededRandom } from "../../math/seeded-random.ts";
import { relationNames } from "../atlas/atlas-lexicon.ts";
import type { UpcoreFact } from "../atlas/upcore-facts.ts";

/** How big the demo's sets are: the design's (`--full`) or the smoke's. */
export interface UpcoreSizes {
  /** Forget sets used (the first in size order). */
  forgetSets: number;
  /** A forget set larger than this is a seeded sample of this many facts. */
  forgetCap: number;
  neighbours: number;
  /** Retain facts evaluated (the whole retain group is the training partner). */
  retainEval: number;
}

export const upcoreFullSizes: UpcoreSizes = {
  forgetSets: 6,
  forgetCap: 450,
  neighbours: 100,
  retainEval: 100,
};
export const upcoreSmokeSizes: UpcoreSizes = {
  forgetSets: 2,
  forgetCap: 40,
  neighbours: 20,
  retainEval: 20,
};

/**
 * The null world's forget sets are the relations but the last (instrument, the retain set): five,
 * so `--full`'s six become five there (docs/upcore.md: city, job, pet, color, sport).
 */
export const relationForgetSets = relationNames.length - 1;

/** The sizes on one-relation groups: at most `relationForgetSets` forget sets. */
export function relationSizes(sizes: UpcoreSizes): UpcoreSizes {
  return { ...sizes, forgetSets: Math.min(sizes.forgetSets, relationForgetSets) };
}

/** One forget set: its group (cluster or relation), the facts to forget and their neighbours. */
export interface UpcoreForgetSet {
  name: string;
  /** Facts in the whole group (before any cap). */
  groupSize: number;
  forget: UpcoreFact[];
  neighbours: UpcoreFact[];
}

export interface UpcoreSets {
  /** "clusters": k-means topics; "relations": one relation each (the null world). */
  grouping: "clusters" | "relations";
  groupSizes: number[];
  forgetSets: UpcoreForgetSet[];
  /** The training partner of every run. */
  retain: UpcoreFact[];
  retainEval: UpcoreFact[];
}

const squared = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let d = 0;
  for (let j = 0; j < a.length; j++) d += (a[j]! - b[j]!) ** 2;
  return d;
};

function centroid(points: readonly ArrayLike<number>[]): Float64Array {
  const c = new Float64Array(points[0]!.length);
  for (const p of points) for (let j = 0; j < c.length; j++) c[j]! += p[j]! / points.length;
  return c;
}

function sample<T>(items: readonly T[], n: number, seed: number): T[] {
  if (items.length <= n) return [...items];
  const rng = new SeededRandom(seed);
  return rng
    .sampleIndices(items.length, n)
    .sort((a, b) => a - b)
    .map((i) => items[i]!);
}

/**
 * The testbed's forget sets (docs/upcore.md, "Testbed claim"): groups of the known facts — k-means
 * (k = 8, seed 42) on `features` (mean-pooled question states), or one relation per group with
 * `grouping: "relations"` — ordered largest first. The first `sizes.forgetSets` groups are forget
 * sets (capped by a seeded sample), the next one is the retain set; a forget set's neighbours are
 * the facts outside it and outside the retain group nearest to its group's centroid.
 */
export function upcoreSets(
  facts: readonly UpcoreFact[],
  features: readonly ArrayLike<number>[],
  sizes: UpcoreSizes,
  options: { evalSeed: number; grouping?: "clusters" | "relations" },
): UpcoreSets {
  if (facts.length !== features.length)
    throw new RangeError(`${facts.length} facts but ${features.length} feature vectors`);
  const grouping = options.grouping ?? "clusters";
  const label =
    grouping === "relations"
      ? facts.map((f) => relationNames.indexOf(f.relation))
      : kMeans(features, 8, { seed: 42 }).assignment;
  const groupCount = grouping === "relations" ? relationNames.length : 8;
  const members = Array.from({ length: groupCount }, (_, g) =>
    facts.flatMap((_, i) => (label[i] === g ? [i] : [])),
  );
  // Relations keep their fixed order (the last, instrument, is the retain set); clusters go by size.
  const order = members.map((_, g) => g);
  if (grouping === "clusters")
    order.sort((a, b) => members[b]!.length - members[a]!.length || a - b);
  if (order.length < sizes.forgetSets + 1)
    throw new RangeError(
      `${order.length} groups cannot give ${sizes.forgetSets} forget sets and a retain set`,
    );
  const retainGroup = grouping === "relations" ? order.length - 1 : sizes.forgetSets;
  const retainIdx = members[order[retainGroup]!]!;
  if (retainIdx.length === 0) throw new RangeError("the retain group is empty");
  const inRetain = new Set(retainIdx);
  const forgetSets = order.slice(0, sizes.forgetSets).map((g, rank): UpcoreForgetSet => {
    const idx = members[g]!;
    if (idx.length < 2) throw new RangeError(`forget group ${rank} has ${idx.length} facts`);
    const inGroup = new Set(idx);
    const centre = centroid(idx.map((i) => features[i]!));
    const neighbours = facts
      .map((_, i) => i)
      .filter((i) => !inGroup.has(i) && !inRetain.has(i))
      .map((i) => ({ i, d: squared(features[i]!, centre) }))
      .sort((a, b) => a.d - b.d || a.i - b.i)
      .slice(0, sizes.neighbours)
      .map(({ i }) => facts[i]!);
    const name = grouping === "relations" ? relationNames[g]! : `cluster-${rank}`;
    return {
      name,
      groupSize: idx.length,
      forget: sample(
        idx.map((i) => facts[i]!),
        sizes.forgetCap,
        deriveSeed(options.evalSeed, `upcore-forget:${name}`),
      ),
      neighbours,
    };
  });
  const retain = retainIdx.map((i) => facts[i]!);
  return {
    grouping,
    groupSizes: order.map((g) => members[g]!.length),
    forgetSets,
    retain,
    retainEval: sample(
      retain,
      sizes.retainEval,
      deriveSeed(options.evalSeed, "upcore-retain-eval"),
    ),
  };
}
