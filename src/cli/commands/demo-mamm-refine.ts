import { basename } from "node:path";
import type { Interval } from "../../evals/bootstrap.ts";
import { UsageError } from "../../model/errors.ts";
import { type AtlasConfig, atlasConfig } from "../../testbed/atlas/atlas-config.ts";
import { buildAtlasWorld } from "../../testbed/atlas/atlas-world.ts";
import { armSpecs, mammSettings } from "../../testbed/demo/mamm-arms.ts";
import { mammClaim } from "../../testbed/demo/mamm-claim.ts";
import { mammFullSettings, mammSmokeSettings, runMammDemo } from "../../testbed/demo/mamm-demo.ts";
import { shippedModel } from "../../testbed/shipped-models.ts";
import { type DemoFlags, openDemoRun } from "./demo-run.ts";

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const ci = (i: Interval) =>
  `${(100 * i.mean).toFixed(1)} [${(100 * i.low).toFixed(1)}, ${(100 * i.high).toFixed(1)}]`;

/**
 * `chorus demo mamm-refine`: MAMM-Refine's structural claim on atlas-1m and atlas-mini with role
 * adapters trained live (docs/mamm-refine.md). `--full` runs 500 summaries; `--resume <run-dir>`
 * continues a killed run with its adapters and finished items.
 */
export async function mammRefineDemo(flags: DemoFlags & { full?: boolean }): Promise<void> {
  const started = performance.now();
  const big = shippedModel(flags.model ?? "atlas-1m", flags.modelsDir);
  const mini = shippedModel("atlas-mini", flags.modelsDir);
  if (big.record.world !== "atlas" || mini.record.world !== "atlas")
    throw new UsageError(
      `the mamm-refine demo needs Atlas models; ${big.record.name} is of ${big.record.world}`,
    );
  const bigPath = flags.modelPath ?? big.path;
  const config = atlasConfig(big.record.worldConfig as Partial<AtlasConfig>);
  const size = flags.full ? "full" : "smoke";
  const settings = flags.full ? mammFullSettings : mammSmokeSettings;
  const run = openDemoRun(flags, {
    demo: "mamm-refine",
    model: big.record.name,
    modelPath: bigPath,
    partner: mini.record.name,
    evalSeed: flags.seed,
    size,
    ...settings,
    method: mammSettings,
  });
  run.recordModel("atlas-1m", { engine: "llamacpp", file: bigPath, sha256: big.record.sha256 });
  run.recordModel("atlas-mini", {
    engine: "llamacpp",
    file: mini.path,
    sha256: mini.record.sha256,
  });
  try {
    const r = await runMammDemo(
      buildAtlasWorld(config),
      { "atlas-1m": bigPath, "atlas-mini": mini.path },
      settings,
      {
        evalSeed: flags.seed,
        run,
        threads: flags.threads,
        onStage: (line) => process.stderr.write(`demo: ${line}\n`),
      },
    );
    const v = r.verdict;
    const wall = (performance.now() - started) / 1000;
    const verdictWord = v.reproduced
      ? "REPRODUCED"
      : v.precondition.pass
        ? "NOT REPRODUCED"
        : "NOT REPRODUCED (precondition failed)";
    if (flags.json) {
      console.log(
        JSON.stringify({
          method: "mamm-refine",
          claim: mammClaim,
          reproduced: v.reproduced,
          verdict: verdictWord,
          model: { name: big.record.name, file: basename(bigPath), sha256: big.record.sha256 },
          partner: { name: mini.record.name, sha256: mini.record.sha256 },
          world: { seed: config.seed, variant: big.record.variant ?? null },
          evalSeed: flags.seed,
          size,
          n: {
            ...r.n,
            trainingSeed: settings.training.seed,
            trainingExamples: settings.training.examples,
          },
          adapters: r.adapters,
          precondition: v.precondition,
          balancedAccuracy: v.balancedAccuracy,
          accuracy: v.faithfulness,
          faithfulnessBefore: v.faithfulnessBefore,
          critiqueAccuracy: v.critiqueAccuracy,
          preserved: v.preserved,
          delta: v.deltas,
          checks: v.checks,
          nullWorld: v.nullWorld,
          runDir: run.dir,
          wallSeconds: Number(wall.toFixed(1)),
        }),
      );
      return;
    }
    console.log(
      [
        `chorus demo · MAMM-Refine (Wan et al. 2025), ${size} · offline · ${basename(bigPath)} + ${basename(mini.path)} · world seed ${config.seed}`,
        `eval seed ${flags.seed}: ${r.n.summaries} summaries, ${r.n.sentences} sentences (${r.n.unfaithful} unfaithful); T ${mammSettings.temperature}, ≤ ${mammSettings.maxRounds} rounds`,
        ...r.adapters.map(
          (a) =>
            `adapter ${a.name} (${a.role} on ${a.base}, ${a.steps} steps, loss ${a.loss.toFixed(2)}, ${a.seconds.toFixed(0)} s)`,
        ),
        "arm              detect BA [95% CI]      critique exact  faithfulness [95% CI]   preserved",
        ...armSpecs.map(
          (s) =>
            `${s.name.padEnd(16)} ${ci(v.balancedAccuracy[s.name]!).padEnd(23)} ${pct(v.critiqueAccuracy[s.name]!).padEnd(15)} ${ci(v.faithfulness[s.name]!).padEnd(23)} ${pct(v.preserved[s.name]!)}`,
        ),
        `input faithfulness ${ci(v.faithfulnessBefore)}`,
        `precondition (each detector BA ≥ 60%): det-1m ${pct(v.precondition.det1m)}, det-mini ${v.precondition.detMini === null ? "—" : pct(v.precondition.detMini)}: ${v.precondition.pass ? "PASS" : "FAIL"}`,
        ...v.checks.map((c) => `${c.pass ? "PASS" : "FAIL"} ${c.name}: ${c.detail}`),
        `${v.nullWorld.pass ? "PASS" : "FAIL"} ${v.nullWorld.name}: ${v.nullWorld.detail}`,
        `claim ${verdictWord} (${size}; pre-registered in docs/mamm-refine.md; tiny models: direction and mechanism only)`,
        `run folder ${run.dir} · wall ${wall.toFixed(0)} s`,
      ].join("\n"),
    );
  } finally {
    run.close();
  }
}
