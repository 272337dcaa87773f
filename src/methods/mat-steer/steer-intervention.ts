import type { Intervention } from "../../model/index.ts";
import { type Steerer, steerInPlace } from "./steerer.ts";
import { engineLayer, type SteeringSite } from "./steering-site.ts";

/**
 * The engine hook that applies a steerer during a forward pass. With `positions: "all"` every
 * token's row is steered with its own gates; with `"last"` (the official `MATIntervener`) only the
 * last prompt row and each generated token are, so the prompt's earlier tokens see no change.
 */
export function steeringIntervention(
  steerer: Steerer,
  site: SteeringSite,
  nLayers: number,
): Intervention {
  const layer = engineLayer(site, nLayers);
  if (site.positions === "all") return { layer, edit: (h) => steerInPlace(steerer, h) };
  return {
    layer,
    edit: (h, info) => {
      if (info.phase === "generate" || info.position === info.promptLength - 1)
        steerInPlace(steerer, h);
    },
  };
}
