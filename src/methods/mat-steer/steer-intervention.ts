import type { Intervention } from "../../model/index.ts";
import { type Steerer, steerInPlace } from "./steerer.ts";
import { hookPoint, type SteeringSite } from "./steering-site.ts";

/**
 * The engine hook that applies a steerer during a forward pass, at `site.module` (the residual
 * stream entering block `site.layer` by default, or that block's o_proj input). With
 * `positions: "all"` every token's row is steered with its own gates; with `"last"` (the official
 * `MATIntervener`) only the last prompt row and each generated token are, so the prompt's earlier
 * tokens see no change. Norm preservation acts in the space of the site's rows.
 */
export function steeringIntervention(
  steerer: Steerer,
  site: SteeringSite,
  nLayers: number,
): Intervention {
  const point = hookPoint(site, nLayers);
  if (site.positions === "all") return { ...point, edit: (h) => steerInPlace(steerer, h) };
  return {
    ...point,
    edit: (h, info) => {
      if (info.phase === "generate" || info.position === info.promptLength - 1)
        steerInPlace(steerer, h);
    },
  };
}
