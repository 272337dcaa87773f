import type { SeededRandom } from "../../math/seeded-random.ts";
import type { AtlasWorld } from "./atlas-world.ts";

/** Draws people by popularity (binary search over the cumulative exposure curve). */
export class PopularitySampler {
  readonly #cumulative: Float64Array;
  constructor(readonly world: AtlasWorld) {
    this.#cumulative = new Float64Array(world.people.length);
    let sum = 0;
    world.people.forEach((p, i) => {
      sum += p.weight;
      this.#cumulative[i] = sum;
    });
  }
  /** A person index, more popular people more often. */
  person(rng: SeededRandom): number {
    const c = this.#cumulative;
    const r = rng.next() * c[c.length - 1]!;
    let lo = 0;
    let hi = c.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (c[mid]! > r) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
