import { argmax, topK } from "./token-logprobs.ts";

/** A small seeded PRNG (mulberry32): same seed, same samples, on every platform. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Sampling settings; temperature 0 (or absent) is greedy. */
export interface SamplerSettings {
  temperature?: number;
  topK?: number;
  topP?: number;
}

/**
 * Picks the next token from raw logits in JS (used where node-llama-cpp's sampler cannot run: the
 * FFI generation with interventions). Order as in llama.cpp's default chain: top-k, top-p, temperature.
 */
export function sampleToken(
  logits: Float32Array,
  settings: SamplerSettings,
  random: () => number,
): number {
  const temperature = settings.temperature ?? 0;
  if (temperature <= 0) return argmax(logits);
  const k = settings.topK && settings.topK > 0 ? settings.topK : logits.length;
  let candidates: { index: number; value: number }[];
  if (k < logits.length) candidates = topK(logits, k);
  else if (settings.topP !== undefined && settings.topP < 1) {
    const order = Array.from(logits.keys()).sort((a, b) => logits[b]! - logits[a]!);
    candidates = order.map((index) => ({ index, value: logits[index]! }));
  } else {
    candidates = Array.from(logits, (value, index) => ({ index, value }));
  }
  const max = candidates.reduce((m, c) => Math.max(m, c.value), Number.NEGATIVE_INFINITY);
  let weights = candidates.map((c) => Math.exp(c.value - max));
  if (settings.topP !== undefined && settings.topP < 1) {
    const total = weights.reduce((a, b) => a + b, 0);
    let cumulative = 0;
    let keep = 0;
    while (keep < weights.length) {
      cumulative += weights[keep]! / total;
      keep++;
      if (cumulative >= settings.topP) break;
    }
    candidates = candidates.slice(0, keep);
    weights = weights.slice(0, keep);
  }
  weights = candidates.map((c) => Math.exp((c.value - max) / temperature));
  const total = weights.reduce((a, b) => a + b, 0);
  let r = random() * total;
  for (let i = 0; i < candidates.length; i++) {
    r -= weights[i]!;
    if (r <= 0) return candidates[i]!.index;
  }
  return candidates[candidates.length - 1]!.index;
}
