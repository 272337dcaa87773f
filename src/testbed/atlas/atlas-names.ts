import type { SeededRandom } from "../../math/seeded-random.ts";

/** 12 consonants × 4 vowels = the 48 CV syllables names are made of. */
const consonants = ["b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "t", "z"];
const vowels = ["a", "i", "o", "u"];
export const syllables: readonly string[] = consonants.flatMap((c) => vowels.map((v) => c + v));

/**
 * `count` distinct two-word names, "given family" (e.g. "zoka ri"): given names are two syllables,
 * family names one. Both come from small pools (so names add ~100 words to the vocabulary, not
 * one per person) and people share given and family names, as real names do, so the model must
 * bind the pair. Syllables that are English words of the world (`reserved`, e.g. "to", "no") are
 * never family names, so a name never reads as part of a sentence.
 */
export function makeNames(
  rng: SeededRandom,
  count: number,
  options: { givenPool: number; reserved: ReadonlySet<string> },
): string[] {
  const family = syllables.filter((s) => !options.reserved.has(s));
  const givenAll: string[] = [];
  for (const a of syllables) for (const b of syllables) if (a !== b) givenAll.push(a + b);
  const given = rng
    .sampleIndices(givenAll.length, options.givenPool)
    .map((i) => givenAll[i]!)
    .filter((g) => !options.reserved.has(g));
  if (given.length * family.length < count)
    throw new RangeError(`cannot make ${count} distinct names from the name pools`);
  const picks = rng.sampleIndices(given.length * family.length, count);
  return picks.map((i) => `${given[Math.floor(i / family.length)]} ${family[i % family.length]}`);
}
