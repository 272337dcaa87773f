import { basename } from "node:path";
import {
  magicoreClaim,
  magicoreMethods,
  minSingleSample,
} from "../../testbed/demo/magicore-claim.ts";
import {
  magicoreFullSettings,
  magicoreSmokeSettings,
  runMagicoreDemo,
} from "../../testbed/demo/magicore-demo.ts";
import { abacusSubject } from "./demo-abacus.ts";
import { type DemoFlags, openDemoRun } from "./demo-run.ts";

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const rolesFrom = {
  shipped: "shipped (models/magicore-roles; --train-roles trains them live)",
  trained: "trained live",
  run: "from the resumed run",
};

/**
 * `chorus demo magicore`: MAgICoRe on abacus-1m's chains with ORM, PRM, Reviewer and Refiner
 * adapters trained live (docs/magicore.md, "Testbed measurement"). Same flags and JSON fields as
 * the other demos; `--full` runs the pre-registered sizes, `--null-world` the magicore-null
 * world's easy chains, `--resume <run-dir>` continues a killed run with its roles. The roles start
 * from the shipped adapters (models/magicore-roles) when their recipe matches; `--train-roles`
 * trains them live and says whether they came out byte-identical to the shipped ones.
 */
export async function magicoreDemo(
  flags: DemoFlags & { full?: boolean; nullWorld?: boolean; trainRoles?: boolean },
): Promise<void> {
  const started = performance.now();
  const { record, path, config } = abacusSubject(flags, "magicore", "msb-first");
  const size = flags.full ? "full" : "smoke";
  const settings = {
    ...(flags.full ? magicoreFullSettings : magicoreSmokeSettings),
    nullWorld: !!flags.nullWorld,
  };
  const run = openDemoRun(flags, {
    demo: "magicore",
    model: record.name,
    modelPath: path,
    evalSeed: flags.seed,
    size,
    ...settings,
  });
  run.recordModel("solver", { engine: "llamacpp", file: path, sha256: record.sha256 });
  try {
    const r = await runMagicoreDemo(path, settings, {
      evalSeed: flags.seed,
      run,
      threads: flags.threads,
      ...(flags.trainRoles ? { trainRoles: true } : {}),
      onStage: (line) => process.stderr.write(`demo: ${line}\n`),
    });
    const v = r.verdict;
    const wall = (performance.now() - started) / 1000;
    const verdict = v.reproduced
      ? "REPRODUCED"
      : v.precondition
        ? "NOT REPRODUCED"
        : "NOT REPRODUCED (precondition failed)";
    if (flags.json) {
      console.log(
        JSON.stringify({
          method: "magicore",
          claim: magicoreClaim,
          reproduced: v.reproduced,
          verdict,
          model: { name: record.name, file: basename(path), sha256: record.sha256 },
          world: { seed: config.seed, variant: record.variant ?? null },
          evalSeed: flags.seed,
          size,
          nullWorld: settings.nullWorld,
          n: { problems: v.n, k: settings.k, trainingSeed: settings.training.seed },
          precondition: {
            singleSampleAccuracy: v.singleSampleAccuracy,
            min: minSingleSample,
            pass: v.precondition,
          },
          roles: r.roles,
          rolesFrom: r.rolesFrom,
          ...(r.matchesShipped === undefined ? {} : { matchesShipped: r.matchesShipped }),
          training: r.training,
          accuracy: v.accuracy,
          delta: v.delta,
          tokensPerProblem: v.tokensPerProblem,
          refinedShare: v.refinedShare,
          auroc: r.auroc,
          checks: v.checks,
          noRefinement: v.noRefinement,
          runDir: run.dir,
          wallSeconds: Number(wall.toFixed(1)),
        }),
      );
      return;
    }
    const rows = [...Object.values(magicoreMethods), "magicore@1", "magicore@2", "magicore@3"];
    console.log(
      [
        `chorus demo · MAgICoRe (Chen et al. 2024), ${size}${settings.nullWorld ? ", null world (magicore-null chains)" : ""} · offline · ${basename(path)} (${(record.params / 1e6).toFixed(2)}M params, sha256 ${record.sha256.slice(0, 8)}…) · world seed ${config.seed}`,
        `eval seed ${flags.seed}: ${v.n} test chains, k ${settings.k}, T 0.8; roles = LoRA adapters trained on ${r.training.samples} solver samples (+ gold), ${rolesFrom[r.rolesFrom]}${r.matchesShipped === undefined ? "" : r.matchesShipped ? " (byte-identical to the shipped ones)" : " (NOT byte-identical to the shipped ones)"}`,
        ...r.roles.map(
          (x) =>
            `role ${x.name}: ${x.examples} examples${x.positives === undefined ? "" : ` (${pct(x.positives)} +)`}, ${x.steps} steps, loss ${x.firstLoss.toFixed(2)} → ${x.loss.toFixed(2)}, ${x.seconds.toFixed(0)} s`,
        ),
        `solver single-sample accuracy ${pct(v.singleSampleAccuracy)} (precondition ≥ ${pct(minSingleSample)}: ${v.precondition ? "met" : "FAILED"})`,
        `PRM step AUROC ${r.auroc.prmStep.toFixed(3)} (${r.auroc.steps} steps) · ORM AUROC ${r.auroc.orm.toFixed(3)} (${r.auroc.solutions} samples)`,
        "method               accuracy [95% CI]        generated tokens/problem",
        ...rows.map((name) => {
          const a = v.accuracy[name]!;
          const t = v.tokensPerProblem[name];
          return (
            `${name.padEnd(20)} ${pct(a.mean)} [${pct(a.low)}, ${pct(a.high)}]`.padEnd(45) +
            (t === undefined ? "" : t.toFixed(0))
          );
        }),
        `refined (hard) share: AND ${v.refinedShare.and.map(pct).join(" → ")} · OR ${pct(v.refinedShare.or)}`,
        ...v.checks.map((c) => `${c.pass ? "PASS" : "FAIL"} ${c.name}: ${c.detail}`),
        ...(settings.nullWorld
          ? [
              `null world: ${v.noRefinement ? "no refinement, MAgICoRe ≈ RM-weighted SC (as expected)" : "refinement happened or MAgICoRe differs from RM-weighted SC"}`,
            ]
          : []),
        `claim ${verdict} (${size}; pre-registered in docs/magicore.md)`,
        `run folder ${run.dir} · wall ${wall.toFixed(0)} s`,
      ].join("\n"),
    );
  } finally {
    run.close();
  }
}
