import { SeededRandom } from "../../math/seeded-random.ts";

/** Scales `v` to unit L2 norm in place (a zero vector stays zero). */
export function normaliseL2(v: Float64Array): Float64Array {
  let s = 0;
  for (const x of v) s += x * x;
  const n = Math.sqrt(s);
  if (n > 0) for (let i = 0; i < v.length; i++) v[i]! /= n;
  return v;
}

/**
 * A fixed Gaussian random projection from `from` to `to` dimensions (entries N(0, 1/to), drawn
 * from `seed`), so LinUCB's d×d matrices stay small for wide policies (the spec's advice for
 * d = 4096). When `to` ≥ `from` it is the identity.
 */
export class RandomProjection {
  private readonly matrix: Float64Array | undefined;

  constructor(
    readonly from: number,
    readonly to: number,
    seed: number,
  ) {
    if (to >= from) {
      this.to = from;
      return;
    }
    const rng = new SeededRandom(seed);
    const scale = 1 / Math.sqrt(to);
    this.matrix = new Float64Array(to * from);
    for (let i = 0; i < this.matrix.length; i++) this.matrix[i] = rng.normal() * scale;
  }

  apply(v: ArrayLike<number>): Float64Array {
    if (v.length !== this.from)
      throw new Error(`projection expects ${this.from} dims, got ${v.length}`);
    if (!this.matrix) return Float64Array.from(v);
    const out = new Float64Array(this.to);
    for (let r = 0; r < this.to; r++) {
      let s = 0;
      const row = r * this.from;
      for (let c = 0; c < this.from; c++) s += this.matrix[row + c]! * v[c]!;
      out[r] = s;
    }
    return out;
  }
}

/**
 * LASeR's batch context (spec §3.3, the re-implementation it recommends): each prompt's hidden
 * states mean-pooled over its own tokens (no padding enters), L2-normalised, averaged over the
 * batch, projected to the bandit's dimension and L2-normalised again. The official code averaged
 * raw input embeddings with padding, which makes every batch's context nearly the same.
 * `centre` (optional) is subtracted before the final normalisation: the mean context of the
 * training batches, so LinUCB sees where a batch differs from the typical one. A constant 1 is
 * appended (LinUCB's intercept), so an arm that is best for every batch stays learnable after
 * centring; the result has `projection.to + 1` dimensions.
 */
export function batchContext(
  pooled: readonly ArrayLike<number>[],
  projection: RandomProjection,
  centre?: Float64Array,
): Float64Array {
  if (pooled.length === 0) throw new Error("a batch context needs at least one prompt");
  const x = projectedMean(pooled, projection);
  if (centre) for (let i = 0; i < x.length; i++) x[i]! -= centre[i]!;
  const out = new Float64Array(x.length + 1);
  out.set(normaliseL2(x));
  out[x.length] = 1;
  return out;
}

/** The batch's unit-normalised pooled states, averaged and projected (before centring). */
export function projectedMean(
  pooled: readonly ArrayLike<number>[],
  projection: RandomProjection,
): Float64Array {
  const mean = new Float64Array(projection.from);
  for (const p of pooled) {
    const unit = normaliseL2(Float64Array.from(p));
    for (let i = 0; i < mean.length; i++) mean[i]! += unit[i]! / pooled.length;
  }
  return projection.apply(mean);
}
