/**
 * The conditions of LASeR's testbed measurement (docs/laser.md, "Testbed claim" and "Amendment
 * 2"): which arms each one trains with and how it picks among them. Each runs once per training
 * seed, in its own folder, so the 6–10 h of compute can be spread across sessions.
 */
import type { ArmStrategy } from "../../methods/laser/arm-strategy.ts";
import { UsageError } from "../../model/errors.ts";

/** The arm sets: the claim's K = 3, the stress run's K = 4, the baselines' one arm, the null world. */
export type ArmSet = "k3" | "k4" | "oracle" | "gold" | "null";

export interface LaserCondition {
  name: string;
  arms: ArmSet;
  strategy: ArmStrategy;
  /** Default "by-family" (the registration's); the mixed-batches ablation reads "in-order". */
  batching?: "by-family" | "in-order";
  /** LinUCB α (default the registration's 0.1; the exploration ablation: 1). */
  alpha?: number;
  about: string;
}

/** The K = 3 arms, in arm order (single:<index> names them). */
export const k3Arms = ["rm-list", "rm-prog", "rm-noise"] as const;

/** Every registered condition; `--null-world` runs the last two. */
export const laserConditions: readonly LaserCondition[] = [
  { name: "laser", arms: "k3", strategy: { kind: "laser" }, about: "LASeR, K = 3 (the claim)" },
  { name: "single-list", arms: "k3", strategy: { kind: "single", arm: 0 }, about: "RM_list only" },
  { name: "single-prog", arms: "k3", strategy: { kind: "single", arm: 1 }, about: "RM_prog only" },
  {
    name: "single-noise",
    arms: "k3",
    strategy: { kind: "single", arm: 2 },
    about: "RM_noise only",
  },
  { name: "random", arms: "k3", strategy: { kind: "random" }, about: "a random arm per batch" },
  {
    name: "ensemble",
    arms: "k3",
    strategy: { kind: "ensemble" },
    about: "mean of all K scores (K× RM calls)",
  },
  {
    name: "oracle",
    arms: "oracle",
    strategy: { kind: "single", arm: 0 },
    about: "each family's reliable RM",
  },
  {
    name: "gold",
    arms: "gold",
    strategy: { kind: "single", arm: 0 },
    about: "exact gold-label reward",
  },
  {
    name: "laser-k4",
    arms: "k4",
    strategy: { kind: "laser" },
    about: "stress run: + RM_len (K = 4)",
  },
  {
    name: "laser-mixed",
    arms: "k3",
    strategy: { kind: "laser" },
    batching: "in-order",
    about: "ablation: mixed batches",
  },
  {
    name: "laser-alpha1",
    arms: "k3",
    strategy: { kind: "laser" },
    alpha: 1,
    about: "ablation: LinUCB α = 1",
  },
  {
    name: "null-laser",
    arms: "null",
    strategy: { kind: "laser" },
    about: "null world: LASeR over equally reliable arms",
  },
  {
    name: "null-random",
    arms: "null",
    strategy: { kind: "random" },
    about: "null world: a random arm",
  },
];

export const nullWorldConditions = ["null-laser", "null-random"];

/** The registered training seeds. */
export const laserTrainSeeds = [1, 2, 3];

/**
 * The conditions `--conditions` names (comma-separated; default: all but the null world's, or
 * with `nullWorld` the null world's), refused with the list when a name is unknown.
 */
export function selectConditions(list: string | undefined, nullWorld: boolean): LaserCondition[] {
  if (list === undefined)
    return laserConditions.filter((c) => nullWorldConditions.includes(c.name) === nullWorld);
  const names = list.split(",").map((s) => s.trim());
  return names.map((n) => {
    const c = laserConditions.find((k) => k.name === n);
    if (!c)
      throw new UsageError(
        `--conditions: no condition "${n}"; the conditions are ${laserConditions.map((k) => k.name).join(", ")}`,
      );
    return c;
  });
}
