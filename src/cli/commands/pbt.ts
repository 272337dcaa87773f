import type { Command } from "commander";
import { registerEval } from "./pbt-eval.ts";
import { registerPairs } from "./pbt-pairs.ts";
import { registerTrain } from "./pbt-train.ts";
import { registerTrees } from "./pbt-trees.ts";

/** `chorus pbt trees|pairs|train|eval`: persuasion-balanced training (Stengel-Eskin et al. 2025). */
export function register(program: Command): void {
  const pbt = program
    .command("pbt")
    .description(
      "PBT: persuasion-balanced training (dialogue trees, balanced pairs, SFT+DPO, evals)",
    );
  registerTrees(pbt);
  registerPairs(pbt);
  registerTrain(pbt);
  registerEval(pbt);
}
