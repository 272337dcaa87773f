import { logSumExp } from "./jensen-shannon.ts";

/** Index of the largest score; ties go to the lowest index (as torch.argmax does). */
export function argmax(scores: ArrayLike<number>): number {
  let best = 0;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i]!;
    if (s > bestScore) {
      bestScore = s;
      best = i;
    }
  }
  return best;
}

/** A seeded uniform [0, 1) generator (mulberry32): same seed, same samples. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Nucleus sampling on softmax(scores) at temperature 1: keep the smallest set of most likely
 * tokens whose mass reaches `topP` (the most likely token is always kept), renormalise, draw.
 */
export function sampleNucleus(
  scores: ArrayLike<number>,
  topP: number,
  random: () => number,
): number {
  const lse = logSumExp(scores);
  const order = Array.from({ length: scores.length }, (_, i) => i).sort(
    (x, y) => scores[y]! - scores[x]!,
  );
  const kept: number[] = [];
  const mass: number[] = [];
  let total = 0;
  for (const index of order) {
    const p = Math.exp(scores[index]! - lse);
    kept.push(index);
    mass.push(p);
    total += p;
    if (total >= topP) break;
  }
  let draw = random() * total;
  for (let i = 0; i < kept.length; i++) {
    draw -= mass[i]!;
    if (draw < 0) return kept[i]!;
  }
  return kept[kept.length - 1]!;
}
