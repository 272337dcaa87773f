import { ConfigError } from "../../model/errors.ts";

/**
 * Where activations are read (training) and edited (generation). chorus collects and steers at the
 * same site, the residual stream entering block `layer` (= llama.cpp's `l_out-(layer-1)`), as the
 * spec recommends (§9.1). The official code's o_proj-input site is not exposed by the engine, so it
 * is not offered (see docs/mat-steer.md).
 */
export interface SteeringSite {
  /** Block whose input is steered (0-based, ≥ 1: the input of block 0 is the token embedding). */
  layer: number;
  /**
   * "all" (default) steers every position, each with its own gates (spec §9.3); "last" is the
   * official hook: the last prompt position and every generated token.
   */
  positions: "all" | "last";
}

/** Default block for a model of `nLayers` blocks: the middle one (spec: 14 of Llama-3.1-8B's 32). */
export function defaultSteeringLayer(nLayers: number): number {
  return Math.max(1, Math.floor(nLayers / 2));
}

/** The engine's capture/intervention layer (`l_out-<n>`) for a site, checked against the model. */
export function engineLayer(site: Pick<SteeringSite, "layer">, nLayers: number): number {
  if (!Number.isInteger(site.layer) || site.layer < 1 || site.layer >= nLayers)
    throw new ConfigError(
      `steering layer ${site.layer} is out of range: use a block from 1 to ${nLayers - 1} (its input is the residual stream after block layer-1)`,
      "layer",
    );
  return site.layer - 1;
}
