/**
 * What every `chorus demo` shares, whichever method it measures: the shipped model and its Atlas
 * world, the run folder, the loaded model, and the output that ends with the claim (one JSON
 * object under --json, else the method's table between a header line and the run folder line).
 * One home, so the demos' JSON objects and headers cannot drift apart.
 */
import { basename } from "node:path";
import { loadLlamaCppModel } from "../../engines/llamacpp/index.ts";
import { UsageError } from "../../model/errors.ts";
import type { LanguageModel } from "../../model/language-model.ts";
import { ProgressLine } from "../../runtime/progress-line.ts";
import { Run } from "../../runtime/run.ts";
import { RunStats } from "../../runtime/run-stats.ts";
import { type AtlasConfig, atlasConfig } from "../../testbed/atlas/atlas-config.ts";
import { type AtlasWorld, buildAtlasWorld } from "../../testbed/atlas/atlas-world.ts";
import { type ShippedModelRecord, shippedModel } from "../../testbed/shipped-models.ts";

/** The flags every demo takes. */
export interface DemoFlags {
  seed: number;
  n: number;
  model?: string;
  modelPath?: string;
  modelsDir?: string;
  runsDir: string;
  threads: number;
  json?: boolean;
  /** A run folder of the same demo and settings to continue (demos that keep their items there). */
  resume?: string;
}

/** The shipped model a demo measures, the file it loads (--model-path) and its Atlas world. */
export interface DemoSubject {
  record: ShippedModelRecord;
  path: string;
  config: AtlasConfig;
  world: AtlasWorld;
}

/** What a demo's measurement ends with: the verdict, its JSON fields and its table's lines. */
export interface DemoOutcome {
  reproduced: boolean;
  /** The method's fields of the JSON object, between the eval seed and the run folder. */
  fields: Record<string, unknown>;
  /** The method's lines of the table, between the header line and the run folder line. */
  lines: string[];
}

export interface DemoContext {
  subject: DemoSubject;
  run: Run;
  stats: RunStats;
  progress: ProgressLine;
}

/** One demo: what it is called, the claim it measures, and how it measures it. */
export interface Demo<D> {
  method: string;
  /** The method and its paper, as the header line names them. */
  title: string;
  claim: string;
  /** The name the measured model has in config.json. */
  role: string;
  /** Settings for config.json beyond the model and the eval seed. */
  config: Record<string, unknown>;
  /** Draws the items from the world, before the run folder exists. */
  prepare: (subject: DemoSubject) => D;
  measure: (model: LanguageModel, data: D, context: DemoContext) => Promise<DemoOutcome>;
}

/** Measures `demo` on the model the flags name, in a new run folder, and prints its outcome. */
export async function runDemo<D>(flags: DemoFlags, demo: Demo<D>): Promise<void> {
  const started = performance.now();
  const shipped = shippedModel(flags.model ?? "atlas-1m", flags.modelsDir);
  const { record } = shipped;
  const path = flags.modelPath ?? shipped.path;
  const config = atlasConfig(record.worldConfig as Partial<AtlasConfig>);
  const subject = { record, path, config, world: buildAtlasWorld(config) };
  const data = demo.prepare(subject);
  const runConfig = {
    demo: demo.method,
    model: record.name,
    modelPath: path,
    evalSeed: flags.seed,
    ...demo.config,
  };
  const run = openDemoRun(flags, runConfig);
  run.recordModel(demo.role, { engine: "llamacpp", file: path, sha256: record.sha256 });
  const stats = new RunStats();
  const progress = new ProgressLine(stats, { label: "demo" });
  const model = await loadLlamaCppModel({ modelPath: path, threads: flags.threads });
  try {
    const outcome = await demo.measure(model, data, { subject, run, stats, progress });
    progress.finish();
    const wall = (performance.now() - started) / 1000;
    if (flags.json) {
      console.log(
        JSON.stringify({
          method: demo.method,
          claim: demo.claim,
          reproduced: outcome.reproduced,
          model: { name: record.name, file: basename(path), sha256: record.sha256 },
          world: { seed: config.seed, variant: record.variant ?? null },
          evalSeed: flags.seed,
          ...outcome.fields,
          runDir: run.dir,
          wallSeconds: Number(wall.toFixed(1)),
        }),
      );
      return;
    }
    const header = `chorus demo · ${demo.title} · offline · ${basename(path)} (${(record.params / 1e6).toFixed(2)}M params, sha256 ${record.sha256.slice(0, 8)}…) · world seed ${config.seed}`;
    const footer = `run folder ${run.dir} · wall ${wall.toFixed(0)} s`;
    console.log([header, ...outcome.lines, footer].join("\n"));
  } finally {
    await model.close?.();
    run.close();
  }
}

/** A new run folder for a demo, or with `--resume` its earlier one (same settings only). */
export function openDemoRun(
  flags: { resume?: string | undefined; runsDir: string; seed: number },
  config: Record<string, unknown>,
): Run {
  if (flags.resume) return resumeDemoRun(flags.resume, config);
  return Run.create({
    runsDir: flags.runsDir,
    config,
    seed: flags.seed,
    argv: process.argv.slice(2),
  });
}

/**
 * Reopens a demo's run folder to continue it, only with the settings it was started with: items
 * measured under other settings must not mix into one verdict.
 */
export function resumeDemoRun(dir: string, config: Record<string, unknown>): Run {
  const run = Run.resume(dir);
  const was = run.manifest.config as Record<string, unknown>;
  const keys = new Set([...Object.keys(was), ...Object.keys(config)]);
  const differ = [...keys].filter((k) => JSON.stringify(was[k]) !== JSON.stringify(config[k]));
  if (differ.length > 0) {
    run.close();
    throw new UsageError(
      `${dir} was started with other settings (${differ.map((k) => `${k}: ${JSON.stringify(was[k])}, now ${JSON.stringify(config[k])}`).join("; ")}); resume it with the flags it was started with`,
    );
  }
  return run;
}
