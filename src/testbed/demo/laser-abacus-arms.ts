/**
 * The arm sets of LASeR's testbed conditions, built from the trained RM adapters (loaded once,
 * closed with `close`) and the gold answers of the loop's training prompts.
 */
import { join } from "node:path";
import type { LanguageModel } from "../../model/language-model.ts";
import type { OutcomeRewardModel } from "../../scoring/reward-model.ts";
import type { ArmSet } from "./laser-abacus-conditions.ts";
import type { AbacusLaserItem } from "./laser-abacus-items.ts";
import { loadAdapterOrm, type TrainedRms } from "./laser-abacus-rm-train.ts";
import { FamilyRoutedRm, GoldRm, LengthRm, NoiseRm } from "./laser-abacus-rms.ts";

/**
 * The null world's label-flip rate: each of its three arms is the exact label flipped with
 * probability 0.2, independently per arm (a hash of the arm and the text), on both families
 * alike, so no arm is more reliable than another anywhere (docs/laser.md, "Amendment 3").
 */
export const nullFlip = 0.2;

export interface LaserArmSets {
  arms(set: ArmSet): OutcomeRewardModel[];
  close(): Promise<void>;
}

/** Loads RM_list and RM_prog (when an arm set needs them) and builds every arm set. */
export async function laserArmSets(
  basePath: string,
  runDir: string,
  rms: TrainedRms,
  items: readonly AbacusLaserItem[],
  threads: number,
  needTrained: boolean,
): Promise<LaserArmSets> {
  const loaded: LanguageModel[] = [];
  const trained: Record<string, OutcomeRewardModel> = {};
  if (needTrained)
    for (const rm of Object.values(rms.rms)) {
      const { rm: orm, model } = await loadAdapterOrm(
        basePath,
        join(runDir, rm.adapter),
        rm.family,
        threads,
      );
      loaded.push(model);
      trained[rm.family] = orm;
    }
  const need = (family: string) => {
    const rm = trained[family];
    if (!rm) throw new Error(`RM_${family} is not loaded`);
    return rm;
  };
  return {
    arms(set) {
      switch (set) {
        case "k3":
          return [need("list"), need("prog"), new NoiseRm()];
        case "k4":
          return [need("list"), need("prog"), new NoiseRm(), new LengthRm()];
        case "oracle":
          return [
            new FamilyRoutedRm("rm-oracle", { list: need("list"), prog: need("prog") }, items),
          ];
        case "gold":
          return [new GoldRm("rm-gold", items)];
        case "null":
          return ["null-a", "null-b", "null-c"].map((n) => new GoldRm(n, items, nullFlip));
      }
    },
    close: async () => {
      for (const m of loaded) await m.close?.();
    },
  };
}
