import type { SeededRandom } from "../../math/seeded-random.ts";

/**
 * Abacus writes numbers digit by digit with spaces ("4 7"), so a word-level tokenizer gives one
 * token per digit (the char-level arithmetic of the design) and the model sees carries digit by
 * digit. Lists separate their numbers with " , ".
 */
export function digits(n: number): string {
  if (!Number.isInteger(n) || n < 0)
    throw new RangeError(`abacus numbers are integers ≥ 0, got ${n}`);
  return String(n).split("").join(" ");
}

export function digitList(values: readonly number[]): string {
  return values.length === 0 ? "empty" : values.map(digits).join(" , ");
}

/** A number with exactly `width` digits (no leading zero unless width is 1). */
export function numberOfWidth(rng: SeededRandom, width: number): number {
  if (width === 1) return rng.int(10);
  const low = 10 ** (width - 1);
  return low + rng.int(9 * low);
}

/** Number words for the small constants of prog specs. */
export const numberWords = ["zero", "one", "two", "three", "four", "five", "six"];
