import { hashString } from "../../math/seeded-random.ts";

/**
 * Rendezvous (highest random weight) hashing: every key ranks every replica by a hash of the pair,
 * so a key keeps its replica while that replica stays, and when one leaves only its own keys move
 * (to their next-ranked replica). No ring to rebuild, and the list's order does not matter.
 */
export function rendezvousOrder<T>(
  key: string,
  replicas: readonly T[],
  idOf: (r: T) => string,
): T[] {
  return replicas
    .map((replica) => ({ replica, weight: pairHash(key, idOf(replica)) }))
    .sort((a, b) => b.weight - a.weight || (idOf(a.replica) < idOf(b.replica) ? -1 : 1))
    .map((entry) => entry.replica);
}

/** A well-mixed 32-bit hash of (key, id): FNV-1a, then murmur3's finalizer to spread the bits. */
export function pairHash(key: string, id: string): number {
  let h = hashString(`${key}\u0000${id}`);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
