/**
 * A small seeded PRNG (mulberry32): fast, deterministic across platforms, good enough for random
 * weights. Not for anything security-related.
 */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A uniform float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Fills `out` with uniform values of mean 0 and standard deviation `std`. */
  fillUniform(out: Float32Array, std: number): Float32Array {
    const halfWidth = std * Math.sqrt(3);
    for (let i = 0; i < out.length; i++) out[i] = (this.next() * 2 - 1) * halfWidth;
    return out;
  }
}

/** A 32-bit seed derived from a base seed and a name (FNV-1a), so each tensor has its own stream. */
export function deriveSeed(seed: number, name: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
