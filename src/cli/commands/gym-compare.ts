import { join } from "node:path";
import type { Command } from "commander";
import { type GymEnvironmentName, gymEnvironments } from "../../methods/dataenvgym/gym-setup.ts";
import { compareTeachers } from "../../methods/dataenvgym/teacher-comparison.ts";
import { UsageError } from "../../model/errors.ts";
import { numberArg, openSession } from "../model-options.ts";
import { addGymOptions, cycleLine, type GymFlags, gymParts, pct } from "./gym-options.ts";

interface CompareFlags extends GymFlags {
  arms: string;
  baseline: string;
  seeds: string;
  minEffect: number;
  targeted?: string;
}

const examples = `
Examples:
  # the testbed measurement (docs/dataenvgym.md, "Testbed claim"): 4 teachers × 5 seeds,
  # 5 cycles × 200 data each, 10% wrong labels, from the skewed Abacus student
  $ chorus gym compare --task abacus --engine abacus --student models/abacus-1m-skewed.gguf \\
      --arms uniform,open-ended,skill-list,skill-tree --policy weakness --budget 200 --cycles 5 \\
      --seeds 1,2,3,4,5 --wrong-label-rate 0.1 --validation-n 300 --test-n 900 --json

  # a dry run of the machinery with the table student (seconds)
  $ chorus gym compare --task abacus --engine abacus --student lookup --arms uniform,skill-list \\
      --budget 40 --cycles 2 --seeds 1,2

Every arm runs one episode per seed from the same base student at the same --budget per
cycle; each other arm is compared with --baseline on the final test accuracy, paired by seed and
item (hierarchical bootstrap: seeds, then items). The run folder keeps every episode
(<arm>/seed-<n>/), so --resume skips finished ones.`;

/** `chorus gym compare`: feedback-driven teachers against a baseline at equal data. */
export function registerGymCompare(gym: Command): void {
  const compare = gym
    .command("compare")
    .description("teachers vs a state-agnostic baseline at equal data, over seeds, with CIs")
    .option(
      "--arms <list>",
      "comma-separated environments",
      "uniform,open-ended,skill-list,skill-tree",
    )
    .option("--baseline <env>", "the arm the others are compared with", "uniform")
    .option("--seeds <list>", "comma-separated run seeds", "1,2,3,4,5")
    .option("--min-effect <x>", "the claim's minimal gain (fraction)", numberArg(0, 1), 0.05)
    .option("--targeted <list>", "skills the gains should sit on (default: the 3 weakest)");
  addGymOptions(compare)
    .addHelpText("after", examples)
    .action(async (flags: CompareFlags) => {
      process.exitCode = await gymCompare(flags);
    });
}

const list = (value: string) =>
  value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

async function gymCompare(flags: CompareFlags): Promise<number> {
  const arms = list(flags.arms);
  for (const a of arms)
    if (!(gymEnvironments as readonly string[]).includes(a))
      throw new UsageError(`--arms: "${a}" is not one of ${gymEnvironments.join(", ")}`);
  if (!arms.includes(flags.baseline))
    throw new UsageError(`--baseline ${flags.baseline} must be one of --arms (${arms.join(",")})`);
  const seeds = list(flags.seeds).map(Number);
  if (seeds.length === 0 || seeds.some((s) => !Number.isSafeInteger(s)))
    throw new UsageError(`--seeds takes integers like 1,2,3; got "${flags.seeds}"`);
  const session = await openSession(flags, {
    run: true,
    runConfig: { method: "dataenvgym-compare", ...flags },
    argv: process.argv.slice(2),
  });
  try {
    const log = (m: string) => {
      if (!flags.json) process.stderr.write(`${m}\n`);
    };
    const parts = await gymParts(flags, session, log);
    if (!parts.splits.test)
      throw new UsageError("gym compare measures on the test split: --test-n > 0");
    const report = await compareTeachers({
      arms: arms.map((name) => ({
        name,
        agent: (seed: number) => parts.agent(name as GymEnvironmentName, seed),
      })),
      baseline: flags.baseline,
      seeds,
      cycles: flags.cycles,
      validation: parts.splits.validation,
      test: parts.splits.test,
      student: parts.student,
      ...(flags.targeted ? { targetedSkills: list(flags.targeted) } : {}),
      minEffect: flags.minEffect,
      dir: join(session.run!.dir, "arms"),
      onCycle: (arm, seed, r) => log(`${arm} seed ${seed} ${cycleLine(r)}`),
    });
    const summary = {
      run: session.run!.dir,
      reproduced: report.reproduced,
      noGain: report.noGain,
      targetedSkills: report.targetedSkills,
      accuracy: report.accuracy,
      verdicts: report.verdicts,
    };
    if (flags.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
    else {
      const lines = [
        `targeted (weakest) skills: ${report.targetedSkills.join(", ")}`,
        ...arms.map((a) => `${a.padEnd(12)} final test ${pct(report.accuracy[a] ?? Number.NaN)}`),
        ...report.verdicts.map(
          (v) =>
            `${v.arm} − ${flags.baseline}: ${pct(v.delta.mean)} [${pct(v.delta.low)}, ${pct(v.delta.high)}] · targeted ${pct(v.targetedDelta)} vs other ${pct(v.otherDelta)} · curve ${v.curve.map(pct).join(" → ")} · ${
              v.reproduced
                ? "REPRODUCED"
                : `not reproduced (${Object.entries(v.checks)
                    .filter(([, ok]) => !ok)
                    .map(([k]) => k)
                    .join(", ")})`
            }`,
        ),
        `claim: ${report.reproduced ? "REPRODUCED" : "NOT REPRODUCED"} · null reading (no gain ≥ ${pct(flags.minEffect)}): ${report.noGain} · run ${session.run!.dir}`,
      ];
      process.stdout.write(`${lines.join("\n")}\n`);
    }
    return 0;
  } finally {
    await session.close();
  }
}
