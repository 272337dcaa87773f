import { basename } from "node:path";
import type { Command } from "commander";
import { loadLlamaCppModel } from "../../engines/llamacpp/index.ts";
import { UsageError } from "../../model/errors.ts";
import { ProgressLine } from "../../runtime/progress-line.ts";
import { Run } from "../../runtime/run.ts";
import { RunStats } from "../../runtime/run-stats.ts";
import { adacadItems } from "../../testbed/atlas/adacad-items.ts";
import { type AtlasConfig, atlasConfig } from "../../testbed/atlas/atlas-config.ts";
import { buildAtlasWorld } from "../../testbed/atlas/atlas-world.ts";
import { runAdacadDemo } from "../../testbed/demo/adacad-demo.ts";
import { renderExample, renderReport } from "../../testbed/demo/context-render.ts";
import { adacadClaim } from "../../testbed/demo/context-report.ts";
import { shippedModel } from "../../testbed/shipped-models.ts";
import { integerArg } from "../model-options.ts";
import { matSteerDemo } from "./demo-mat-steer.ts";

interface DemoFlags {
  seed: number;
  n: number;
  model?: string;
  modelPath?: string;
  modelsDir?: string;
  runsDir: string;
  threads: number;
  trainSeed: number;
  json?: boolean;
}

const examples = `
Examples:
  # the claim on the shipped atlas-1m model, offline, in about a minute
  $ chorus demo

  # a fresh evaluation draw nobody tuned on (new conflicting values, distractors, wording)
  $ chorus demo --seed 12345

  # machine-readable: the last line is one JSON object (method, claim, reproduced, accuracies, runDir)
  $ chorus demo --json | tail -n 1

  # the same claim on the null world's model (the method must show no gain there)
  $ chorus demo --model atlas-null-1m

  # MAT-Steer: gated vectors trained live vs summed mean-difference vectors (~3 minutes)
  $ chorus demo mat-steer
  $ chorus demo mat-steer --train-seed 43 --json | tail -n 1

The claim, its checks and their thresholds are pre-registered in docs/testbed.md.
`;

/** `chorus demo [method]`: a method's pre-registered claim measured on a shipped testbed model. */
export function register(program: Command): void {
  program
    .command("demo")
    .description("measure a method's claim offline on the shipped testbed models (default AdaCAD)")
    .argument("[method]", "adacad | mat-steer", "adacad")
    .option("--seed <n>", "evaluation draw over the same model (default 1)", integerArg(0), 1)
    .option(
      "--n <count>",
      "adacad: conflicting and agreeing items each (context-only: 0.6·n, as the design's 500:300); mat-steer: undesirable-persona items per attribute (desirable: a third) and neutral prompts",
      integerArg(2),
      200,
    )
    .option("--model <name>", "a shipped testbed model (default atlas-1m)")
    .option("--model-path <gguf>", "any GGUF trained on the Atlas world of the shipped record")
    .option("--models-dir <dir>", "where the shipped models are (default: the package's models/)")
    .option("--runs-dir <dir>", "where the run folder goes", "runs")
    .option("--threads <n>", "llama.cpp threads per context", integerArg(1), 1)
    .option(
      "--train-seed <n>",
      "mat-steer: seed of the gates' initialisation and batches",
      integerArg(0),
      42,
    )
    .option("--json", "print one JSON object (last line) instead of the table")
    .addHelpText("after", examples)
    .action(async (method: string, flags: DemoFlags) => {
      if (method === "mat-steer") return matSteerDemo(flags);
      if (method !== "adacad")
        throw new UsageError(`chorus demo knows "adacad" and "mat-steer", not "${method}"`);
      await adacadDemo(flags);
    });
}

async function adacadDemo(flags: DemoFlags): Promise<void> {
  const started = performance.now();
  const shipped = shippedModel(flags.model ?? "atlas-1m", flags.modelsDir);
  const { record } = shipped;
  const path = flags.modelPath ?? shipped.path;
  const config = atlasConfig(record.worldConfig as Partial<AtlasConfig>);
  const world = buildAtlasWorld(config);
  const items = adacadItems(world, flags.seed, {
    conflict: flags.n,
    agreeing: flags.n,
    contextOnly: Math.max(1, Math.round(0.6 * flags.n)),
  });
  const run = Run.create({
    runsDir: flags.runsDir,
    config: {
      demo: "adacad",
      model: record.name,
      modelPath: path,
      evalSeed: flags.seed,
      n: flags.n,
    },
    seed: flags.seed,
    argv: process.argv.slice(2),
  });
  run.recordModel("generator", { engine: "llamacpp", file: path, sha256: record.sha256 });
  const stats = new RunStats();
  const progress = new ProgressLine(stats, { label: "demo" });
  const model = await loadLlamaCppModel({ modelPath: path, threads: flags.threads });
  try {
    const result = await runAdacadDemo(model, items, { run, stats, progress });
    progress.finish();
    const wall = (performance.now() - started) / 1000;
    const { report } = result;
    if (flags.json) {
      const baselines = Object.fromEntries(
        Object.entries(report.accuracy).map(([d, sets]) => [d, sets]),
      );
      console.log(
        JSON.stringify({
          method: "adacad",
          claim: adacadClaim,
          reproduced: report.reproduced,
          model: { name: record.name, file: basename(path), sha256: record.sha256 },
          world: { seed: config.seed, variant: record.variant ?? null },
          evalSeed: flags.seed,
          n: report.n,
          accuracy: baselines,
          delta: report.delta,
          meanAlpha: report.meanAlpha,
          alphaAuroc: report.alphaAuroc,
          checks: report.checks,
          runDir: run.dir,
          wallSeconds: Number(wall.toFixed(1)),
        }),
      );
      return;
    }
    const out = [
      `chorus demo · AdaCAD (Wang et al. 2025) · offline · ${basename(path)} (${(record.params / 1e6).toFixed(2)}M params, sha256 ${record.sha256.slice(0, 8)}…) · world seed ${config.seed}`,
      `world: ${config.people} people, ${config.people * 6} facts · eval seed ${flags.seed}: ${report.n.conflict} conflicting + ${report.n.agreeing} agreeing + ${report.n["context-only"]} context-only`,
      "e.g.",
      ...result.examples.map((e) => renderExample(e.item, e.outcome)),
      renderReport(report),
      `run folder ${run.dir} · wall ${wall.toFixed(0)} s`,
    ];
    console.log(out.join("\n"));
  } finally {
    await model.close?.();
    run.close();
  }
}
