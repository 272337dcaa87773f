import type { Intervention } from "../../model/index.ts";
import { hookPoint, type SteeringSite } from "./steering-site.ts";
import type { AttributeActivations } from "./train.ts";

/**
 * ITI-style baseline: one static vector per attribute, mean(positives) − mean(negatives), added
 * with strength `alpha` to every steered row (no gates, no norm preservation).
 */
export function meanDifferenceVectors(
  activations: Readonly<Record<string, AttributeActivations>>,
): Record<string, Float64Array> {
  const out: Record<string, Float64Array> = {};
  for (const [name, { positive, negative }] of Object.entries(activations)) {
    const dim = positive[0]?.length ?? 0;
    const v = new Float64Array(dim);
    for (const h of positive) for (let i = 0; i < dim; i++) v[i]! += h[i]! / positive.length;
    for (const h of negative) for (let i = 0; i < dim; i++) v[i]! -= h[i]! / negative.length;
    out[name] = v;
  }
  return out;
}

/** Adds Σ alpha·v over the given vectors at the site (`site.module`; every position, or as `site.positions`). */
export function meanDifferenceIntervention(
  vectors: readonly ArrayLike<number>[],
  alpha: number,
  site: SteeringSite,
  nLayers: number,
): Intervention {
  const point = hookPoint(site, nLayers);
  const dim = vectors[0]?.length ?? 0;
  const sum = new Float32Array(dim);
  for (const v of vectors) for (let i = 0; i < dim; i++) sum[i]! += alpha * v[i]!;
  return {
    ...point,
    edit: (h, info) => {
      if (
        site.positions === "last" &&
        info.phase === "prompt" &&
        info.position !== info.promptLength - 1
      )
        return;
      for (let i = 0; i < dim; i++) h[i]! += sum[i]!;
    },
  };
}
