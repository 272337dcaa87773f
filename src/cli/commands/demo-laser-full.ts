import { cpSync, existsSync } from "node:fs";
import { basename, join } from "node:path";
import { UsageError } from "../../model/errors.ts";
import { laserTrainSeeds, selectConditions } from "../../testbed/demo/laser-abacus-conditions.ts";
import { laserRunReport, renderLaserRun } from "../../testbed/demo/laser-abacus-report.ts";
import { type RmRecipe, rmRecipes } from "../../testbed/demo/laser-abacus-rm-train.ts";
import {
  type LoopRecipe,
  laserFullSettings,
  loopRecipes,
  runLaserFull,
} from "../../testbed/demo/laser-abacus-run.ts";
import { abacusSubject } from "./demo-abacus.ts";
import { parseSeeds } from "./demo-pbt-measure.ts";
import { type DemoFlags, openDemoRun } from "./demo-run.ts";

/** The testbed claim (docs/laser.md, "Testbed claim" and "Amendment 2"). */
export const laserFullClaim =
  "On abacus-1m, LASeR's bandit picks each family's reliable RM in ≥ 80% of late batches, and its test accuracy is ≥ the best single RM's and > the random arm's and the ensemble's, at 1/K of the ensemble's RM calls";

export interface LaserFullFlags extends DemoFlags {
  nullWorld?: boolean;
  /** Comma-separated condition names (docs/laser.md); default all but the null world's. */
  conditions?: string;
  /** Training seeds; undefined: the registered 1, 2, 3. */
  trainSeeds?: string | undefined;
  /** A run folder whose `rms/` (trained adapters and precondition) this run reuses. */
  rms?: string;
  /** How the RMs are trained: "registered" or Amendment 4's "large". */
  rmRecipe?: string;
  /** How the loop runs: "registered" or Amendment 5's "a5" (stop at " Q:"). */
  loopRecipe?: string;
  /** The policy's learning rate (default the recipe's; Amendment 5's positive control sets it). */
  lr?: number;
}

/**
 * `chorus demo laser --full`: the pre-registered measurement on abacus-1m, resumable per
 * (condition, seed); `--conditions` and `--train-seeds` pick which to run now, `--null-world` runs
 * the null world's conditions. The report always covers everything stored in the run folder.
 */
export async function laserFullDemo(flags: LaserFullFlags): Promise<void> {
  const started = performance.now();
  const { record, path, config } = abacusSubject(flags, "laser --full", "msb-first");
  const conditions = selectConditions(flags.conditions, !!flags.nullWorld);
  const seeds = flags.trainSeeds === undefined ? laserTrainSeeds : parseSeeds(flags.trainSeeds);
  const recipe = flags.rmRecipe ?? "registered";
  if (!Object.hasOwn(rmRecipes, recipe))
    throw new UsageError(
      `--rm-recipe ${recipe}: the recipes are ${Object.keys(rmRecipes).join(", ")} (docs/laser.md)`,
    );
  const loop = flags.loopRecipe ?? "registered";
  if (!Object.hasOwn(loopRecipes, loop))
    throw new UsageError(
      `--loop-recipe ${loop}: the recipes are ${Object.keys(loopRecipes).join(", ")} (docs/laser.md)`,
    );
  const settings = {
    ...laserFullSettings,
    rm: rmRecipes[recipe as RmRecipe],
    ...loopRecipes[loop as LoopRecipe],
    ...(flags.lr === undefined ? {} : { lr: flags.lr }),
  };
  // Which conditions and seeds run now is not a setting: a resumed run may pick others.
  const run = openDemoRun(flags, {
    demo: "laser",
    size: "full",
    model: record.name,
    modelPath: path,
    evalSeed: flags.seed,
    ...settings,
  });
  run.recordModel("policy", { engine: "llamacpp", file: path, sha256: record.sha256 });
  try {
    if (flags.rms !== undefined) {
      const from = join(flags.rms, "rms", "rms.json");
      if (!existsSync(from))
        throw new UsageError(
          `--rms ${flags.rms}: no rms/rms.json there (train them with scripts/laser-rm-precondition.ts or a --full run)`,
        );
      if (!existsSync(join(run.dir, "rms")))
        cpSync(join(flags.rms, "rms"), join(run.dir, "rms"), { recursive: true });
    }
    const stage = (line: string) => process.stderr.write(`demo: ${line}\n`);
    const { rms, ran } = await runLaserFull(path, run.dir, {
      settings,
      evalSeed: flags.seed,
      conditions,
      seeds,
      threads: flags.threads,
      stage,
      onBatch: (c, seed, done, total) => {
        if (process.stderr.isTTY)
          process.stderr.write(
            `\r${c} seed ${seed} batch ${done}/${total}${done === total ? "\n" : ""}`,
          );
      },
    });
    const report = laserRunReport(run.dir, rms);
    const wall = (performance.now() - started) / 1000;
    if (flags.json) {
      console.log(
        JSON.stringify({
          method: "laser",
          claim: laserFullClaim,
          reproduced: report.verdict === "REPRODUCED",
          model: { name: record.name, file: basename(path), sha256: record.sha256 },
          world: { seed: config.seed, variant: record.variant ?? null },
          evalSeed: flags.seed,
          size: "full",
          ran,
          rms: rms.rms,
          precondition: { minAuroc: rms.settings.minAuroc, pass: rms.pass },
          ...report,
          runDir: run.dir,
          wallSeconds: Number(wall.toFixed(1)),
        }),
      );
      return;
    }
    console.log(
      [
        `chorus demo · LASeR (Nguyen et al. 2025), full measurement · offline · ${basename(path)} (${(record.params / 1e6).toFixed(2)}M params, sha256 ${record.sha256.slice(0, 8)}…) · eval seed ${flags.seed}`,
        `ran now: ${ran.length > 0 ? ran.join(", ") : "nothing"}`,
        ...renderLaserRun(rms, report),
        `run folder ${run.dir} · wall ${wall.toFixed(0)} s`,
      ].join("\n"),
    );
  } finally {
    run.close();
  }
}
