import { ConfigError } from "../../model/errors.ts";
import type { HookSite } from "../../model/internals.ts";

/**
 * Where in block `layer` vectors are applied or activations read:
 * - `"residual"`: the residual stream **entering** block `layer` (llama.cpp `l_out-(layer-1)`,
 *   HF `hidden_states[layer]`), the site the official code trains on;
 * - `"o-proj-input"`: the input of block `layer`'s attention output projection (the concatenated
 *   head outputs, HF `model.layers[layer].self_attn.o_proj` input, llama.cpp `kqv_out-<layer>`),
 *   the site the official `MATIntervener` applies the vectors at.
 */
export type SteeringModule = "residual" | "o-proj-input";

export const steeringModules: readonly SteeringModule[] = ["residual", "o-proj-input"];

/**
 * Where activations are read (training) and edited (generation). By default chorus collects and
 * steers at the same site, the residual stream entering block `layer`, as the spec recommends
 * (§9.1). The official code's literal behaviour (train on the residual stream, apply at the o_proj
 * input, last position) is `{module: "o-proj-input", collectedAt: "residual", positions: "last"}`.
 */
export interface SteeringSite {
  /**
   * Block whose input (residual) or attention output projection input (o-proj-input) is steered,
   * 0-based. The residual site needs ≥ 1: the input of block 0 is the token embedding.
   */
  layer: number;
  /**
   * "all" (default) steers every position, each with its own gates (spec §9.3); "last" is the
   * official hook: the last prompt position and every generated token.
   */
  positions: "all" | "last";
  /** Where the vectors are applied (default `"residual"`). */
  module?: SteeringModule;
  /** Where the training activations were read (default `"residual"`; a record, not used to steer). */
  collectedAt?: SteeringModule;
}

/** Default block for a model of `nLayers` blocks: the middle one (spec: 14 of Llama-3.1-8B's 32). */
export function defaultSteeringLayer(nLayers: number): number {
  return Math.max(1, Math.floor(nLayers / 2));
}

/** The engine's hook point (`l_out-<layer>` or `kqv_out-<layer>`) for a site, checked against the model. */
export function hookPoint(
  site: { layer: number; module?: SteeringModule | undefined },
  nLayers: number,
): { layer: number; site: HookSite } {
  const module = site.module ?? "residual";
  if (module === "o-proj-input") {
    if (!Number.isInteger(site.layer) || site.layer < 0 || site.layer >= nLayers)
      throw new ConfigError(
        `steering layer ${site.layer} is out of range: use a block from 0 to ${nLayers - 1} (the input of its attention output projection)`,
        "layer",
      );
    return { layer: site.layer, site: "o-proj-input" };
  }
  if (module !== "residual")
    throw new ConfigError(
      `unknown steering module "${String(module)}": use "residual" or "o-proj-input"`,
      "module",
    );
  return { layer: engineLayer(site, nLayers), site: "residual" };
}

/** The engine's residual capture/intervention layer (`l_out-<n>`) for a site, checked against the model. */
export function engineLayer(site: Pick<SteeringSite, "layer">, nLayers: number): number {
  if (!Number.isInteger(site.layer) || site.layer < 1 || site.layer >= nLayers)
    throw new ConfigError(
      `steering layer ${site.layer} is out of range: use a block from 1 to ${nLayers - 1} (its input is the residual stream after block layer-1)`,
      "layer",
    );
  return site.layer - 1;
}
