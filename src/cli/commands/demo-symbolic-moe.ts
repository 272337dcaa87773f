import { basename } from "node:path";
import { moeClaim, moeMethods } from "../../testbed/demo/moe-claim.ts";
import {
  moeFullSettings,
  moeOptions,
  moeSmokeSettings,
  runMoeDemo,
} from "../../testbed/demo/moe-demo.ts";
import { moeSkills } from "../../testbed/demo/moe-items.ts";
import { abacusSubject } from "./demo-abacus.ts";
import { type DemoFlags, openDemoRun } from "./demo-run.ts";

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/**
 * `chorus demo symbolic-moe`: the Symbolic-MoE claim on abacus-1m and experts fine-tuned from it
 * live (docs/testbed.md). Same flags and JSON fields as the other demos; `--full` runs the
 * pre-registered sizes, `--null-world` unspecialised experts, `--resume <run-dir>` continues a
 * killed run with its experts, profiles and finished items.
 */
export async function symbolicMoeDemo(
  flags: DemoFlags & { full?: boolean; nullWorld?: boolean },
): Promise<void> {
  const started = performance.now();
  const { record, path, config } = abacusSubject(flags, "symbolic-moe");
  const size = flags.full ? "full" : "smoke";
  const settings = {
    ...(flags.full ? moeFullSettings : moeSmokeSettings),
    nullWorld: !!flags.nullWorld,
  };
  const runConfig = {
    demo: "symbolic-moe",
    model: record.name,
    modelPath: path,
    evalSeed: flags.seed,
    size,
    ...settings,
    method: moeOptions,
  };
  const run = openDemoRun(flags, runConfig);
  run.recordModel("generalist", { engine: "llamacpp", file: path, sha256: record.sha256 });
  try {
    const r = await runMoeDemo(path, settings, {
      evalSeed: flags.seed,
      run,
      threads: flags.threads,
      notation: config.notation,
      onStage: (line) => process.stderr.write(`demo: ${line}\n`),
    });
    const v = r.verdict;
    const wall = (performance.now() - started) / 1000;
    if (flags.json) {
      console.log(
        JSON.stringify({
          method: "symbolic-moe",
          claim: moeClaim,
          reproduced: v.reproduced,
          model: { name: record.name, file: basename(path), sha256: record.sha256 },
          world: { seed: config.seed, variant: record.variant ?? null },
          evalSeed: flags.seed,
          size,
          nullWorld: settings.nullWorld,
          n: { ...r.n, trainingSeed: settings.training.seed },
          experts: r.experts,
          generalistAccuracy: r.generalistAccuracy,
          oracleExperts: r.oracleExperts,
          accuracy: v.accuracy,
          delta: v.delta,
          oracleGain: v.oracleGain,
          recovered: v.recovered,
          curve: r.curve,
          keywordPrecision: r.keywordPrecision,
          loads: r.loads,
          checks: v.checks,
          noGain: v.noGain,
          runDir: run.dir,
          wallSeconds: Number(wall.toFixed(1)),
        }),
      );
      return;
    }
    const skillCells = (acc: Record<string, number>) =>
      moeSkills.map((s) => `${s} ${pct(acc[s]!)}`).join(" · ");
    console.log(
      [
        `chorus demo · Symbolic-MoE (Chen et al. 2025), ${size}${settings.nullWorld ? ", null world (unspecialised experts)" : ""} · offline · ${basename(path)} (${(record.params / 1e6).toFixed(2)}M params, sha256 ${record.sha256.slice(0, 8)}…) · world seed ${config.seed}`,
        `eval seed ${flags.seed}: ${r.n.validationPerSkill} validation + ${r.n.testPerSkill} test items per skill (${moeSkills.join(", ")}); k ${moeOptions.k}, T ${moeOptions.temperature}, majority aggregator, stand-in keyword annotator`,
        `generalist abacus-1m (greedy, validation): ${skillCells(r.generalistAccuracy)}`,
        ...r.experts.map(
          (e) =>
            `expert ${e.name} (LoRA on ${e.skills.join("+")}, ${e.steps} steps, ${e.seconds.toFixed(0)} s): ${skillCells(e.accuracy)}`,
        ),
        `oracle routing: ${moeSkills.map((s) => `${s} → ${r.oracleExperts[s]}`).join(", ")}`,
        "method              accuracy [95% CI]",
        ...Object.entries(moeMethods).map(([, name]) => {
          const a = v.accuracy[name]!;
          return `${name.padEnd(19)} ${pct(a.mean)} [${pct(a.low)}, ${pct(a.high)}]`;
        }),
        `recovered fraction by validation items per skill: ${r.curve.map((c) => `${c.validationPerSkill}: ${c.recovered === null ? "—" : c.recovered.toFixed(2)}`).join(" · ")}`,
        `expert-phase loads ${r.loads.expertPhase} (distinct recruited ${r.loads.distinctRecruited}; one load per question × slot would be ${r.loads.perInstanceWould})`,
        ...v.checks.map((c) => `${c.pass ? "PASS" : "FAIL"} ${c.name}: ${c.detail}`),
        ...(settings.nullWorld
          ? [
              `null world: ${v.noGain ? "no gain over best single (as expected)" : "MoE differs from best single (unexpected)"}`,
            ]
          : []),
        `claim ${v.reproduced ? "REPRODUCED" : "NOT REPRODUCED"} (${size}; pre-registered in docs/testbed.md)`,
        `run folder ${run.dir} · wall ${wall.toFixed(0)} s`,
      ].join("\n"),
    );
  } finally {
    run.close();
  }
}
