import type { SeededRandom } from "../../math/seeded-random.ts";

/**
 * How Abacus writes a number of 2+ digits: most significant digit first (`4 1 8`, the default and
 * abacus-1m's world) or least significant first (`8 1 4` for 418: a sum's digit i then depends
 * only on digits already read). Single digits read the same in both.
 */
export const notations = ["msb-first", "lsb-first"] as const;
export type Notation = (typeof notations)[number];

/**
 * Abacus writes numbers digit by digit with spaces ("4 7"), so a word-level tokenizer gives one
 * token per digit (the char-level arithmetic of the design) and the model sees carries digit by
 * digit. Lists separate their numbers with " , ".
 */
export function digits(n: number, notation: Notation = "msb-first"): string {
  if (!Number.isInteger(n) || n < 0)
    throw new RangeError(`abacus numbers are integers ≥ 0, got ${n}`);
  const written = String(n).split("");
  return (notation === "lsb-first" ? written.reverse() : written).join(" ");
}

export function digitList(values: readonly number[], notation: Notation = "msb-first"): string {
  return values.length === 0 ? "empty" : values.map((v) => digits(v, notation)).join(" , ");
}

/** The number `digits` wrote ("8 1 4" is 418 in lsb-first, 814 in msb-first); NaN if not digits. */
export function readNumber(text: string, notation: Notation = "msb-first"): number {
  const words = text.trim().split(/\s+/);
  if (!words.every((w) => /^\d$/.test(w))) return Number.NaN;
  return Number((notation === "lsb-first" ? words.reverse() : words).join(""));
}

/** The list `digitList` wrote ("3 , 1 2" or "empty"); undefined if any entry is not a number. */
export function readList(text: string, notation: Notation = "msb-first"): number[] | undefined {
  const trimmed = text.trim();
  if (trimmed === "empty") return [];
  const values = trimmed.split(",").map((part) => readNumber(part, notation));
  return values.every((v) => Number.isInteger(v)) ? values : undefined;
}

/** A number with exactly `width` digits (no leading zero unless width is 1). */
export function numberOfWidth(rng: SeededRandom, width: number): number {
  if (width === 1) return rng.int(10);
  const low = 10 ** (width - 1);
  return low + rng.int(9 * low);
}

/** Number words for the small constants of prog specs. */
export const numberWords = ["zero", "one", "two", "three", "four", "five", "six"];
