/**
 * Seeded mutation of untrusted inputs for the fuzz tests: a valid file is truncated, has bytes
 * overwritten, chunks dropped or repeated, or a length field set to a huge value. The seed is
 * printed with each failing case, so `CHORUS_FUZZ_SEED=<n>` replays a run exactly.
 */
import assert from "node:assert/strict";
import type { SeededRandom } from "../../src/math/seeded-random.ts";

/** The run's seed: `$CHORUS_FUZZ_SEED`, else a fixed one so CI runs are reproducible. */
export function fuzzSeed(): number {
  const fromEnv = Number(process.env["CHORUS_FUZZ_SEED"]);
  return Number.isInteger(fromEnv) ? fromEnv : 20_261_203;
}

/** Cases per input kind (`$CHORUS_FUZZ_CASES` raises it for a longer local run). */
export function fuzzCases(fallback: number): number {
  const fromEnv = Number(process.env["CHORUS_FUZZ_CASES"]);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : fallback;
}

/** u64 values that break readers that trust a length: all ones, 2^63, past 2^53, 2^32 edges. */
const hugeU64: readonly bigint[] = [
  0xffff_ffff_ffff_ffffn,
  1n << 63n,
  (1n << 53n) + 1n,
  1n << 53n,
  1n << 40n,
  1n << 32n,
  0xffff_ffffn,
  0x7fff_ffffn,
];

/** One mutated input and what was done to it, for the failure message. */
export interface Mutant {
  what: string;
  bytes: Uint8Array;
}

/**
 * A mutant of `valid`. `lengthFields` are byte offsets of u64 little-endian lengths or counts
 * in the valid input (the format's most dangerous fields); one of them may be set huge.
 */
export function mutateBytes(
  valid: Uint8Array,
  random: SeededRandom,
  lengthFields: readonly number[] = [],
): Mutant {
  const kind = random.int(lengthFields.length > 0 ? 6 : 5);
  const bytes = new Uint8Array(valid);
  switch (kind) {
    case 0: {
      const end = random.int(valid.length);
      return { what: `truncated at ${end}`, bytes: bytes.subarray(0, end) };
    }
    case 1: {
      const n = 1 + random.int(8);
      const at: number[] = [];
      for (let i = 0; i < n; i++) {
        const p = random.int(bytes.length);
        bytes[p] = random.int(256);
        at.push(p);
      }
      return { what: `bytes overwritten at ${at.join(",")}`, bytes };
    }
    case 2: {
      const start = random.int(valid.length);
      const end = start + random.int(Math.min(64, valid.length - start) + 1);
      const cut = new Uint8Array(valid.length - (end - start));
      cut.set(valid.subarray(0, start));
      cut.set(valid.subarray(end), start);
      return { what: `bytes ${start}..${end} removed`, bytes: cut };
    }
    case 3: {
      const start = random.int(valid.length);
      const chunk = valid.subarray(start, start + 1 + random.int(32));
      const grown = new Uint8Array(valid.length + chunk.length);
      grown.set(valid.subarray(0, start + chunk.length));
      grown.set(chunk, start + chunk.length);
      grown.set(valid.subarray(start + chunk.length), start + 2 * chunk.length);
      return { what: `bytes from ${start} repeated`, bytes: grown };
    }
    case 4: {
      if (bytes.length < 8) return { what: "unchanged (too short for a u64)", bytes };
      const p = random.int(bytes.length - 7);
      const value = pick(random, hugeU64);
      new DataView(bytes.buffer).setBigUint64(p, value, true);
      return { what: `u64 ${value} written at ${p}`, bytes };
    }
    default: {
      const p = pick(random, lengthFields);
      const value = pick(random, hugeU64);
      new DataView(bytes.buffer).setBigUint64(p, value, true);
      return { what: `length field at ${p} set to ${value}`, bytes };
    }
  }
}

/** A uniformly drawn element. */
export function pick<T>(random: SeededRandom, items: readonly T[]): T {
  return items[random.int(items.length)]!;
}

/** Start offsets of every occurrence of `needle` in `haystack`. */
export function offsetsOf(haystack: Uint8Array, needle: Uint8Array): number[] {
  const found: number[] = [];
  const text = Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength);
  let at = text.indexOf(needle);
  while (at >= 0) {
    found.push(at);
    at = text.indexOf(needle, at + 1);
  }
  return found;
}

/** The error classes an untrusted input may end in; anything else is a bug. */
export type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * Runs `attempt` on one case: it must finish (or throw one of `allowed`) within `limitMs`,
 * without growing the heap and array buffers by more than `maxGrowthBytes`.
 */
export async function expectCleanOutcome(
  label: string,
  attempt: () => Promise<unknown>,
  allowed: readonly ErrorClass[],
  options: { limitMs?: number; maxGrowthBytes?: number } = {},
): Promise<"ok" | "refused"> {
  const limitMs = options.limitMs ?? 15_000;
  const maxGrowth = options.maxGrowthBytes ?? 256 * 1024 * 1024;
  const before = process.memoryUsage();
  const started = performance.now();
  let outcome: "ok" | "refused" = "ok";
  try {
    await attempt();
  } catch (error) {
    if (!allowed.some((type) => error instanceof type))
      assert.fail(`${label}: threw ${(error as Error)?.stack ?? String(error)}`);
    outcome = "refused";
  }
  const elapsed = performance.now() - started;
  assert.ok(elapsed < limitMs, `${label}: took ${elapsed.toFixed(0)} ms`);
  const after = process.memoryUsage();
  const growth = after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers);
  assert.ok(growth < maxGrowth, `${label}: memory grew by ${(growth / 2 ** 20).toFixed(0)} MiB`);
  return outcome;
}
