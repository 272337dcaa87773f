import { basename } from "node:path";
import { Run } from "../../runtime/run.ts";
import {
  dataEnvGymClaim,
  gymDemoDefaults,
  runDataEnvGymDemo,
} from "../../testbed/demo/dataenvgym-demo.ts";
import { abacusSubject } from "./demo-abacus.ts";
import type { DemoFlags } from "./demo-run.ts";

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/**
 * `chorus demo dataenvgym`: the smoke of the DataEnvGym claim on a shipped Abacus model (default
 * abacus-1m). Same flags and JSON fields as the other demos: `--seed` draws the evaluation sets
 * and seeds the run, `--n` is test problems per skill (default 8).
 */
export async function dataEnvGymDemo(flags: DemoFlags, nGiven: boolean): Promise<void> {
  const started = performance.now();
  const { record, path, config } = abacusSubject(flags, "dataenvgym");
  const settings = { ...gymDemoDefaults, n: nGiven ? flags.n : gymDemoDefaults.n };
  const run = Run.create({
    runsDir: flags.runsDir,
    config: {
      demo: "dataenvgym",
      model: record.name,
      modelPath: path,
      evalSeed: flags.seed,
      ...settings,
    },
    seed: flags.seed,
    argv: process.argv.slice(2),
  });
  run.recordModel("student", { engine: "trainer", file: path, sha256: record.sha256 });
  try {
    const report = await runDataEnvGymDemo(path, {
      ...settings,
      seed: flags.seed,
      chain: config.chain,
      notation: config.notation,
      dir: run.dir,
      onCycle: (arm, r) =>
        process.stderr.write(
          `demo: ${arm} cycle ${r.cycle}: test ${pct(r.test?.accuracy ?? Number.NaN)}\n`,
        ),
    });
    const wall = (performance.now() - started) / 1000;
    if (flags.json) {
      console.log(
        JSON.stringify({
          method: "dataenvgym",
          claim: dataEnvGymClaim,
          reproduced: report.reproduced,
          model: { name: record.name, file: basename(path), sha256: record.sha256 },
          world: { seed: config.seed, variant: record.variant ?? null },
          evalSeed: flags.seed,
          n: {
            testPerSkill: settings.n,
            cycles: settings.cycles,
            budget: settings.budget,
            seeds: 1,
          },
          accuracy: report.accuracy,
          targetedSkills: report.targetedSkills,
          verdicts: report.verdicts,
          noGain: report.noGain,
          runDir: run.dir,
          wallSeconds: Number(wall.toFixed(1)),
        }),
      );
      return;
    }
    console.log(
      [
        `chorus demo · DataEnvGym (Khan et al. 2025) · offline · ${basename(path)} (${(record.params / 1e6).toFixed(2)}M params, sha256 ${record.sha256.slice(0, 8)}…) · world seed ${config.seed}`,
        `smoke: 1 seed (${flags.seed}), ${settings.cycles} cycles × ${settings.budget} data, ${settings.n} test problems per skill, ${pct(settings.wrongLabelRate)} wrong labels · targeted (weakest) skills: ${report.targetedSkills.join(", ")}`,
        ...Object.entries(report.accuracy).map(
          ([arm, acc]) => `${arm.padEnd(12)} final test ${pct(acc)}`,
        ),
        ...report.verdicts.map(
          (v) =>
            `${v.arm} − uniform ${pct(v.delta.mean)} [${pct(v.delta.low)}, ${pct(v.delta.high)}] · targeted ${pct(v.targetedDelta)} vs other ${pct(v.otherDelta)} · curve ${v.curve.map(pct).join(" → ")}`,
        ),
        `claim (${dataEnvGymClaim}): ${report.reproduced ? "REPRODUCED" : "NOT REPRODUCED"} in this smoke`,
        `run folder ${run.dir} · wall ${wall.toFixed(0)} s`,
      ].join("\n"),
    );
  } finally {
    run.close();
  }
}
