import { copyFile, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ConfigError } from "../../model/errors.ts";
import type { LanguageModel } from "../../model/language-model.ts";
import { fileSha256 } from "../../runtime/file-hash.ts";
import { planPretrain, pretrain } from "../../train/pretrain.ts";
import type { StepInfo } from "../../train/train-loop.ts";
import type { ShippedModelRecord } from "../shipped-models.ts";
import { type CheckSizes, recipeWorld } from "./recipe-world.ts";
import { type TestbedRecipe, testbedRecipes } from "./testbed-recipes.ts";

/** The recipe called `name`, or one error listing the known ones. */
export function testbedRecipe(name: string): TestbedRecipe {
  const recipe = testbedRecipes[name];
  if (!recipe)
    throw new ConfigError(
      `no testbed recipe "${name}"; known: ${Object.keys(testbedRecipes).join(", ")}`,
      "model",
    );
  return recipe;
}

export interface BuildOptions extends CheckSizes {
  /** Where the GGUF and its record go (the repository's models/ for shipped models). */
  outDir: string;
  /** The pretraining run folder (init.gguf, checkpoint/): a second call resumes there. */
  workDir: string;
  /** Loads the built GGUF for the checks (the llama.cpp engine in the CLI). */
  load: (path: string) => Promise<LanguageModel>;
  onStep?: (info: StepInfo) => void;
  /** Cap on optimizer steps (tests). */
  maxSteps?: number;
  /** The command line recorded in the manifest. */
  command?: string;
}

/**
 * Builds one testbed model end to end: generates its world's corpus, pretrains the recipe's shape
 * from random init with chorus's trainer, writes `<outDir>/<name>.gguf`, checks it (Atlas: the
 * knowledge curve and reading accuracy; Abacus: accuracy per skill), and records everything in
 * `<outDir>/<name>.json`. The check sizes in `options` default to the shipped builds' (every
 * fact; 100 problems per skill).
 */
/** Steps between a build's checkpoints (~1 MB of weights + Adam state each save: cheap). */
export const buildCheckpointEvery = 100;

export async function buildTestbedModel(
  recipe: TestbedRecipe,
  options: BuildOptions,
): Promise<ShippedModelRecord> {
  const world = recipeWorld(recipe);
  const texts = world.documents.map((text, i) => ({ record: text, line: i + 1 }));
  const plan = await planPretrain(texts, {
    shape: recipe.shape,
    ...(recipe.vocabSize !== undefined ? { vocabSize: recipe.vocabSize } : {}),
  });
  await mkdir(options.outDir, { recursive: true });
  const file = `${recipe.name}.gguf`;
  const staged = join(options.workDir, file);
  // Training tokens and seconds so far, kept in the run folder: a build resumed (even after its
  // last step, to rerun its checks) records the whole training, not just its own call's part.
  const statsFile = join(options.workDir, "build-stats.json");
  const before = await readBuildStats(statsFile);
  const started = performance.now();
  const stages =
    typeof recipe.train.epochs === "number" ? [recipe.train.epochs] : recipe.train.epochs;
  let result: Awaited<ReturnType<typeof pretrain>> | undefined;
  let tokens = 0;
  for (const epochs of stages) {
    // Each stage resumes the run folder's checkpoint; a finished stage costs nothing to repeat.
    result = await pretrain(plan, texts, {
      dir: options.workDir,
      out: staged,
      type: recipe.type,
      epochs,
      batchSize: recipe.train.batchSize,
      lr: recipe.train.lr,
      warmupSteps: recipe.train.warmupSteps,
      schedule: recipe.train.schedule,
      seed: recipe.train.seed,
      // a killed build (hours on 2 cores) resumes within its stage, losing at most this many steps
      checkpointEvery: buildCheckpointEvery,
      ...(options.maxSteps !== undefined ? { maxSteps: options.maxSteps } : {}),
      ...(options.onStep ? { onStep: options.onStep } : {}),
    });
    tokens += result.tokens;
    await writeBuildStats(statsFile, {
      tokens: before.tokens + tokens,
      seconds: before.seconds + (performance.now() - started) / 1000,
    });
  }
  if (!result) throw new ConfigError(`recipe ${recipe.name} has no training stage`, "epochs");
  tokens += before.tokens;
  const wallSeconds = before.seconds + (performance.now() - started) / 1000;
  const model = await options.load(staged);
  let checks: Awaited<ReturnType<typeof world.check>>;
  try {
    checks = await world.check(model, options);
  } finally {
    await model.close?.();
  }
  const s = recipe.shape;
  // Training FLOPs per token: 6·N (N = non-embedding weights + the tied head) + attention 6·L·T̄·d.
  const nonEmbedding = plan.parameters - plan.vocabSize * s.dim;
  const head = plan.vocabSize * s.dim;
  const meanPosition = result.corpusTokens / Math.max(1, result.documents) / 2;
  const flopsPerToken = 6 * (nonEmbedding + head) + 6 * s.layers * meanPosition * s.dim;
  const record: ShippedModelRecord = {
    name: recipe.name,
    file,
    world: recipe.world,
    worldConfig: world.config as unknown as Record<string, unknown>,
    ...(recipe.variant ? { variant: recipe.variant } : {}),
    shape: { ...s, vocabSize: plan.vocabSize, type: recipe.type } as unknown as Record<
      string,
      number | string
    >,
    params: plan.parameters,
    sha256: await fileSha256(staged),
    build: {
      command: options.command ?? `chorus testbed build ${recipe.name}`,
      tokens,
      steps: result.steps,
      wallSeconds: Number(wallSeconds.toFixed(1)),
      gflops: Number(((flopsPerToken * tokens) / wallSeconds / 1e9).toFixed(2)),
      finalLoss: Number((result.losses.at(-1) ?? Number.NaN).toFixed(4)),
      date: new Date().toISOString().slice(0, 10),
    },
    checks: {
      ...checks,
      corpus: world.corpus,
    },
  };
  await copyFile(staged, join(options.outDir, `${file}.tmp`));
  await rename(join(options.outDir, `${file}.tmp`), join(options.outDir, file));
  await writeFile(
    join(options.outDir, `${recipe.name}.json`),
    `${JSON.stringify(record, null, 2)}\n`,
  );
  return record;
}

interface BuildStats {
  tokens: number;
  seconds: number;
}

async function readBuildStats(file: string): Promise<BuildStats> {
  try {
    const stats = JSON.parse(await readFile(file, "utf8")) as BuildStats;
    if (Number.isFinite(stats.tokens) && Number.isFinite(stats.seconds)) return stats;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT" && !(error instanceof SyntaxError))
      throw error;
  }
  return { tokens: 0, seconds: 0 };
}

async function writeBuildStats(file: string, stats: BuildStats): Promise<void> {
  await writeFile(`${file}.tmp`, `${JSON.stringify(stats)}\n`);
  await rename(`${file}.tmp`, file);
}
