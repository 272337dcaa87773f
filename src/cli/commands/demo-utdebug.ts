import { basename } from "node:path";
import { utdebugClaim, verdictWords } from "../../testbed/demo/utdebug-claim.ts";
import {
  runUtdebugDemo,
  utdebugFullSettings,
  utdebugSmokeSettings,
} from "../../testbed/demo/utdebug-demo.ts";
import { utdebugSettings } from "../../testbed/demo/utdebug-methods.ts";
import { abacusSubject } from "./demo-abacus.ts";
import { type DemoFlags, openDemoRun } from "./demo-run.ts";

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const cell = (i: { mean: number; low: number; high: number }) =>
  `${pct(i.mean)} [${pct(i.low)}, ${pct(i.high)}]`;

/**
 * `chorus demo utdebug`: UTGen + UTDebug on Abacus prog tasks with adapters of abacus-1m trained
 * live (docs/utgen-utdebug.md). Same flags and JSON fields as the other demos; `--full` runs the
 * pre-registered sizes, `--null-world` bugs that fail every input, `--resume <run-dir>` continues
 * a killed run with its adapters and finished items.
 */
export async function utdebugDemo(
  flags: DemoFlags & { full?: boolean; nullWorld?: boolean },
): Promise<void> {
  const started = performance.now();
  const { record, path, config } = abacusSubject(flags, "utdebug", "msb-first");
  const size = flags.full ? "full" : "smoke";
  const settings = {
    ...(flags.full ? utdebugFullSettings : utdebugSmokeSettings),
    nullWorld: !!flags.nullWorld,
  };
  const runConfig = {
    demo: "utdebug",
    model: record.name,
    modelPath: path,
    evalSeed: flags.seed,
    size,
    ...settings,
    method: utdebugSettings,
  };
  const run = openDemoRun(flags, runConfig);
  run.recordModel("base", { engine: "llamacpp", file: path, sha256: record.sha256 });
  try {
    const r = await runUtdebugDemo(path, settings, {
      evalSeed: flags.seed,
      run,
      threads: flags.threads,
      onStage: (line) => process.stderr.write(`demo: ${line}\n`),
    });
    const v = r.verdict;
    const words = verdictWords(v);
    const wall = (performance.now() - started) / 1000;
    if (flags.json) {
      console.log(
        JSON.stringify({
          method: "utdebug",
          claim: utdebugClaim,
          reproduced: v.reproduced,
          verdict: words,
          model: { name: record.name, file: basename(path), sha256: record.sha256 },
          world: { seed: config.seed, variant: record.variant ?? null },
          evalSeed: flags.seed,
          size,
          nullWorld: settings.nullWorld,
          n: {
            tasks: r.tasks,
            trainingExamples: settings.training.examples,
            trainingSeed: settings.training.seed,
          },
          adapters: r.roles,
          accuracy: v.pass1,
          intrinsic: v.intrinsic,
          delta: v.delta,
          regressions: v.regressions,
          precondition: v.precondition,
          checks: v.checks,
          nullWorldNoGain: v.nullWorldNoGain,
          runDir: run.dir,
          wallSeconds: Number(wall.toFixed(1)),
        }),
      );
      return;
    }
    console.log(
      [
        `chorus demo · UTGen + UTDebug (Prasad et al. 2025), ${size}${settings.nullWorld ? ", null world (bugs fail every input)" : ""} · offline · ${basename(path)} (${(record.params / 1e6).toFixed(2)}M params, sha256 ${record.sha256.slice(0, 8)}…) · world seed ${config.seed}`,
        `eval seed ${flags.seed}: ${r.tasks} prog tasks, one perturbation each; 3 UTs, 8 votes (≥ 4), 3 rounds, backtracking`,
        ...r.roles.map(
          (t) =>
            `adapter ${t.role}: ${t.steps} steps, loss ${t.loss.toFixed(3)}, ${t.seconds.toFixed(0)} s`,
        ),
        "UT generator          Acc∩Attack [95% CI]     Attack    output acc",
        ...Object.entries(v.intrinsic).map(
          ([arm, s]) =>
            `${arm.padEnd(21)} ${cell(s.accAttack).padEnd(23)} ${pct(s.attack.mean).padEnd(9)} ${pct(s.outputAccuracy.mean)}`,
        ),
        "debugging arm               pass@1 after 3 rounds [95% CI]",
        ...Object.entries(v.pass1).map(([arm, s]) => `${arm.padEnd(27)} ${cell(s)}`),
        `regressions: ${pct(v.regressions.backtracking)} with backtracking, ${pct(v.regressions.noBacktracking)} without`,
        `precondition (oracle-UT − no-UT ≥ 10 points): ${v.precondition.pass ? "PASS" : "FAIL"} (${(100 * v.precondition.oracleMinusNoUt).toFixed(1)} points)`,
        ...v.checks.map((c) => `${c.pass ? "PASS" : "FAIL"} ${c.name}: ${c.detail}`),
        ...(settings.nullWorld
          ? [`null world: |UTGen − random-UT| Acc∩Attack ${v.nullWorldNoGain ? "≤" : ">"} 5 points`]
          : []),
        `claim ${words} (${size}; pre-registered in docs/utgen-utdebug.md; a tiny model confirms direction and mechanism only)`,
        `run folder ${run.dir} · wall ${wall.toFixed(0)} s`,
      ].join("\n"),
    );
  } finally {
    run.close();
  }
}
