import { join } from "node:path";
import type { Command } from "commander";
import { loadLlamaCppModel } from "../../engines/llamacpp/index.ts";
import { UsageError } from "../../model/errors.ts";
import { defaultSkillsN } from "../../testbed/build/abacus-checks.ts";
import { buildTestbedModel, testbedRecipe } from "../../testbed/build/build-model.ts";
import { writeManifest } from "../../testbed/build/manifest.ts";
import { testbedRecipes } from "../../testbed/build/testbed-recipes.ts";
import { shippedModelsDir } from "../../testbed/shipped-models.ts";
import { integerArg } from "../model-options.ts";
import { progressPrinter } from "./train-progress.ts";

interface BuildFlags {
  outDir: string;
  workDir?: string;
  maxSteps?: number;
  knowledgeLimit?: number;
  skillsN?: number;
}

/** `chorus testbed build <model>`: one recipe of src/testbed/build, run with chorus's trainer. */
export function registerBuild(testbed: Command): void {
  testbed
    .command("build")
    .description("pretrain a testbed model from its recipe, check it and record it in models/")
    .argument("<model>", Object.keys(testbedRecipes).join(" | "))
    .option("--out-dir <dir>", "where the GGUF, its record and MANIFEST.md go", shippedModelsDir)
    .option(
      "--work-dir <dir>",
      "the training run folder (resumes there; default runs/build-<model>)",
    )
    .option("--max-steps <n>", "stop training after this many steps (smoke runs)", integerArg(1))
    .option("--knowledge-limit <n>", "atlas: probe this many facts instead of all", integerArg(1))
    .option(
      "--skills-n <n>",
      `abacus: problems per skill of the skills check (default ${defaultSkillsN})`,
      integerArg(1),
    )
    .addHelpText(
      "after",
      `
Examples:
  # the shipped AdaCAD/MAT-Steer model (2.5M corpus words read twice; ~30 min on a quiet 2-core box)
  $ chorus testbed build atlas-1m

  # the procedural world's model (12M words read once; ~40 min on a quiet 2-core box),
  # checked by greedy accuracy per skill
  $ chorus testbed build abacus-1m

  # the same recipe on the little-endian world (418 written 8 1 4), checked in that notation
  $ chorus testbed build abacus-lsb-1m

  # the same recipe on the worked-columns world (sums worked column by column before the
  # answer; window 704), checked by asking it to write the working itself
  $ chorus testbed build abacus-scratch-1m --work-dir /work/builds/abacus-scratch-1m

  # the smoke world through the same path, into a scratch folder (what CI runs)
  $ chorus testbed build atlas-smoke --out-dir /tmp/testbed-models
  $ chorus testbed build abacus-smoke --out-dir /tmp/testbed-models --skills-n 10

A killed build resumes from its checkpoint when run again with the same --work-dir.`,
    )
    .action(async (name: string, flags: BuildFlags) => {
      const recipe = testbedRecipe(name);
      // A size of the other world's check would silently change nothing.
      const misplaced =
        recipe.world === "atlas"
          ? flags.skillsN !== undefined && "--skills-n"
          : flags.knowledgeLimit !== undefined && "--knowledge-limit";
      if (misplaced)
        throw new UsageError(`${misplaced} does not apply to ${name}, a model of ${recipe.world}`);
      const workDir = flags.workDir ?? join("runs", `build-${name}`);
      const record = await buildTestbedModel(recipe, {
        outDir: flags.outDir,
        workDir,
        // One thread: a probe of a ~1M model is a few ms of work, and llama.cpp's per-op thread
        // barriers cost far more than that when a core is busy (atlas-1m, 4-token greedy probes at
        // load ~9: 4.6 ms with 1 thread, 320-470 ms with 2; the atlas-2m checks ran 30+ min).
        load: (modelPath) => loadLlamaCppModel({ modelPath, threads: 1 }),
        onStep: progressPrinter(),
        ...(flags.maxSteps !== undefined ? { maxSteps: flags.maxSteps } : {}),
        ...(flags.knowledgeLimit !== undefined ? { knowledgeLimit: flags.knowledgeLimit } : {}),
        ...(flags.skillsN !== undefined ? { skillsN: flags.skillsN } : {}),
        command: `chorus testbed build ${process.argv.slice(4).join(" ")}`.trim(),
      });
      await writeManifest(flags.outDir);
      console.log(JSON.stringify(record));
    });
}
