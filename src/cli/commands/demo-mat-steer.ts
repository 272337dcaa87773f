import { basename } from "node:path";
import { loadLlamaCppModel } from "../../engines/llamacpp/index.ts";
import { ProgressLine } from "../../runtime/progress-line.ts";
import { Run } from "../../runtime/run.ts";
import { RunStats } from "../../runtime/run-stats.ts";
import { type AtlasConfig, atlasConfig } from "../../testbed/atlas/atlas-config.ts";
import { buildAtlasWorld } from "../../testbed/atlas/atlas-world.ts";
import { runSteerDemo } from "../../testbed/demo/steer-demo.ts";
import { steerDemoData } from "../../testbed/demo/steer-demo-data.ts";
import {
  renderSteerExample,
  renderSteerReport,
  renderSteerTraining,
} from "../../testbed/demo/steer-render.ts";
import { steerClaim } from "../../testbed/demo/steer-report.ts";
import { shippedModel } from "../../testbed/shipped-models.ts";

export interface SteerDemoFlags {
  seed: number;
  n: number;
  trainSeed: number;
  model?: string;
  modelPath?: string;
  modelsDir?: string;
  runsDir: string;
  threads: number;
  json?: boolean;
}

/** Contrast pairs per attribute (design §5: 600 statements per attribute). */
const pairs = 300;
/** Undesirable validation items per attribute (and neutral validation prompts) for α tuning. */
const validationSize = 30;

/** `chorus demo mat-steer`: MAT-Steer vs mean-difference steering on a shipped Atlas model. */
export async function matSteerDemo(flags: SteerDemoFlags): Promise<void> {
  const started = performance.now();
  const shipped = shippedModel(flags.model ?? "atlas-1m", flags.modelsDir);
  const { record } = shipped;
  const path = flags.modelPath ?? shipped.path;
  const config = atlasConfig(record.worldConfig as Partial<AtlasConfig>);
  const world = buildAtlasWorld(config);
  const data = steerDemoData(world, flags.seed, {
    pairs,
    n: flags.n,
    neutral: flags.n,
    validation: Math.min(validationSize, flags.n),
  });
  const run = Run.create({
    runsDir: flags.runsDir,
    config: {
      demo: "mat-steer",
      model: record.name,
      modelPath: path,
      evalSeed: flags.seed,
      trainSeed: flags.trainSeed,
      n: flags.n,
      pairs,
      validation: validationSize,
    },
    seed: flags.seed,
    argv: process.argv.slice(2),
  });
  run.recordModel("steered", { engine: "llamacpp", file: path, sha256: record.sha256 });
  const stats = new RunStats();
  const progress = new ProgressLine(stats, { label: "demo" });
  const model = await loadLlamaCppModel({ modelPath: path, threads: flags.threads });
  try {
    const result = await runSteerDemo(model, data, {
      trainSeed: flags.trainSeed,
      run,
      stats,
      progress,
      onStage: (s) => process.stderr.write(`demo: ${s}\n`),
    });
    progress.finish();
    const wall = (performance.now() - started) / 1000;
    const { report, training } = result;
    if (flags.json) {
      console.log(
        JSON.stringify({
          method: "mat-steer",
          claim: steerClaim,
          reproduced: report.reproduced,
          model: { name: record.name, file: basename(path), sha256: record.sha256 },
          world: { seed: config.seed, variant: record.variant ?? null },
          evalSeed: flags.seed,
          trainSeed: flags.trainSeed,
          setting: report.setting,
          training,
          n: report.n,
          accuracy: report.accuracy,
          single: report.single,
          preservation: report.preservation,
          qa: report.qa,
          kl: report.kl,
          gates: report.gates,
          delta: report.delta,
          interference: report.interference,
          checks: report.checks,
          runDir: run.dir,
          wallSeconds: Number(wall.toFixed(1)),
        }),
      );
      return;
    }
    console.log(
      [
        `chorus demo · MAT-Steer (Nguyen et al. 2025) · offline · ${basename(path)} (${(record.params / 1e6).toFixed(2)}M params, sha256 ${record.sha256.slice(0, 8)}…) · world seed ${config.seed}`,
        `data: ${pairs} contrast pairs per attribute (80% train, 20% held out) · eval seed ${flags.seed} · gate-training seed ${flags.trainSeed}`,
        renderSteerTraining(training),
        "e.g.",
        ...result.examples.map((e) =>
          renderSteerExample(
            e.item,
            e.outcome,
            report.setting,
            result.ownGates[report.setting][e.item.attribute],
          ),
        ),
        renderSteerReport(report),
        `run folder ${run.dir} · wall ${wall.toFixed(0)} s`,
      ].join("\n"),
    );
  } finally {
    await model.close?.();
    run.close();
  }
}
