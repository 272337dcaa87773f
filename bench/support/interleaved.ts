import { median } from "./bench-model.ts";

/**
 * Milliseconds per call of each variant, as the median over `rounds` rounds. Within a round each
 * variant runs for about `minMs`, in an order rotated every round, so a burst of load from other
 * processes on a shared box hits every variant alike instead of whichever ran at that moment.
 */
export async function interleavedMedians<K extends string>(
  variants: Record<K, () => unknown>,
  { rounds = 7, minMs = 60 }: { rounds?: number; minMs?: number } = {},
): Promise<Record<K, number>> {
  const names = Object.keys(variants) as K[];
  const samples = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<K, number[]>;
  for (const n of names) await variants[n](); // warm-up: sessions, JIT
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + r) % names.length]!;
      let calls = 0;
      const t0 = performance.now();
      while (performance.now() - t0 < minMs || calls < 2) {
        await variants[name]();
        calls++;
      }
      samples[name].push((performance.now() - t0) / calls);
    }
  }
  return Object.fromEntries(names.map((n) => [n, median(samples[n])])) as Record<K, number>;
}
