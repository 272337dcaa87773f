import type { Command } from "commander";
import { UsageError } from "../../model/errors.ts";
import { adacadItems } from "../../testbed/atlas/adacad-items.ts";
import { runAdacadDemo } from "../../testbed/demo/adacad-demo.ts";
import type { ContextItem } from "../../testbed/demo/context-items.ts";
import { renderExample, renderReport } from "../../testbed/demo/context-render.ts";
import { adacadClaim } from "../../testbed/demo/context-report.ts";
import { integerArg, numberArg } from "../model-options.ts";
import { dataEnvGymDemo } from "./demo-dataenvgym.ts";
import { laserDemo } from "./demo-laser.ts";
import { type LaserFullFlags, laserFullDemo } from "./demo-laser-full.ts";
import { magicoreDemo } from "./demo-magicore.ts";
import { mammRefineDemo } from "./demo-mamm-refine.ts";
import { matSteerDemo, type SteerDemoFlags } from "./demo-mat-steer.ts";
import { pbtDemo } from "./demo-pbt.ts";
import { type PbtMeasureFlags, pbtMeasureDefaults, pbtMeasureDemo } from "./demo-pbt-measure.ts";
import { type Demo, type DemoFlags, runDemo } from "./demo-run.ts";
import { symbolicMoeDemo } from "./demo-symbolic-moe.ts";
import { upcoreDemo } from "./demo-upcore.ts";
import { utdebugDemo } from "./demo-utdebug.ts";

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

  # LASeR smoke: the bandit picks the reliable reward model per question family (~3 minutes;
  # --n = training prompts per family, default 48; --train-seed default 1)
  $ chorus demo laser --json | tail -n 1
  # LASeR, the pre-registered measurement on abacus-1m (RM adapters + precondition, then 11
  # conditions x 3 seeds; hours, resumable per condition and seed; docs/laser.md)
  $ chorus demo laser --full --json | tail -n 1
  $ chorus demo laser --full --conditions laser,random --train-seeds 1 --resume runs/<id>
  $ chorus demo laser --full --null-world --resume runs/<id>    # all arms equally reliable
  $ chorus demo laser --full --rm-recipe large   # RMs on 4x the data (amendment 4)
  $ chorus demo laser --full --rm-recipe large --loop-recipe a5 --rms runs/<id>  # amendment 5

  # PBT smoke: trees, balanced and one-sided SFT+DPO, persuasion / "are you sure?" / team evals
  $ chorus demo pbt --n 100 --json | tail -n 1

  # PBT, the pre-registered measurement: 3 training seeds, atlas-mini as the weak partner,
  # 500 CtI + 500 ItC pairs, 500 "are you sure?", 300 team questions (hours; resumable)
  $ chorus demo pbt --measure --train-seeds 12,13,14 --partner atlas-mini --seed 2027 \
      --eval-pairs 500 --sure-n 500 --team-n 300 --json | tail -n 1
  $ chorus demo pbt --measure --seed 2027 --resume runs/<id>    # continue a killed one
  $ chorus demo pbt --measure --model atlas-pbt-null-1m --seed 2027  # the null world's rule
  $ chorus demo pbt --measure --seed 2027 --size-match smallest  # every variant trains on equally many pairs

  # UPCORE smoke: coreset vs complete vs random forget sets, GA on 2 clusters of 40 facts (~5 min);
  # --full = 6 clusters x 3 seeds x GA/refusal/NPO; --null-world = one relation per forget set
  $ chorus demo upcore --json | tail -n 1
  $ chorus demo upcore --full --null-world
  # the second registration: LoRA r4 on every block's ffn_down at lr 2e-2 (the spec's recipe
  # forgets nothing on atlas-1m)
  $ chorus demo upcore --recipe strong --json | tail -n 1
  $ chorus demo upcore --full --recipe strong --resume runs/<id>   # continue a killed one
  $ chorus demo upcore --recipe strong --eval-batch 1   # evaluation prompts one at a time (same scores, ~3x slower)

  # DataEnvGym smoke: four teachers vs uniform data on abacus-1m (--n = test problems per skill)
  $ chorus demo dataenvgym --json | tail -n 1

  # Symbolic-MoE smoke: 3 LoRA specialists of abacus-1m trained live, keyword routing vs best
  # single, random experts, all + majority and oracle routing; --full = 225 test items per skill;
  # --null-world = unspecialised experts
  $ chorus demo symbolic-moe --json | tail -n 1
  $ chorus demo symbolic-moe --null-world
  $ chorus demo symbolic-moe --full --resume runs/<id>    # continue a killed one

  # MAgICoRe smoke: ORM, PRM, Reviewer and Refiner adapters of abacus-1m (shipped, or trained
  # live with --train-roles), MAgICoRe vs SC, Best-of-k, RM-weighted SC (k and 3k) and OR triage
  # on 100 chains, k 8; --full = 1,000 chains, k 16; --null-world = the magicore-null world's
  # 2-step chains (its roles always train live)
  $ chorus demo magicore --json | tail -n 1
  $ chorus demo magicore --train-roles    # retrain the roles; says if they match the shipped ones
  $ chorus demo magicore --null-world

  # UTGen + UTDebug smoke: 4 LoRA adapters of abacus-1m trained live (UTGen, random-UT, debugger,
  # no-UT debugger), pass@1 after 3 rounds and Acc∩Attack on 12 prog tasks; --full = 500 tasks;
  # --null-world = bugs that fail every input
  $ chorus demo utdebug --json | tail -n 1
  $ chorus demo utdebug --full --resume runs/<id>

  # MAMM-Refine smoke: 5 role adapters of atlas-1m / atlas-mini trained live, one agent vs
  # multi-agent vs multi-model detection, RERANK vs GENERATE; --full = 500 summaries
  $ chorus demo mamm-refine --json | tail -n 1
  $ chorus demo mamm-refine --full --resume runs/<id>    # continue a killed one

The claim, its checks and their thresholds are pre-registered in docs/testbed.md (LASeR:
docs/laser.md, PBT: docs/pbt.md, DataEnvGym: docs/dataenvgym.md, UPCORE: docs/upcore.md,
MAgICoRe: docs/magicore.md, UTGen + UTDebug: docs/utgen-utdebug.md, MAMM-Refine:
docs/mamm-refine.md).
`;

/** Demos that keep what they measured in their run folder and continue it with --resume. */
const resumableDemos = ["symbolic-moe", "upcore", "magicore", "utdebug", "mamm-refine"];
/** Demos with a `--full` size (laser's is its testbed measurement). */
const fullDemos = ["laser", ...resumableDemos];

type DemoCommandFlags = SteerDemoFlags &
  PbtMeasureFlags &
  Omit<LaserFullFlags, "trainSeeds"> & {
    measure?: boolean;
    full?: boolean;
    trainRoles?: boolean;
    evalBatch?: number;
  };

/** `chorus demo [method]`: a method's pre-registered claim measured on a shipped testbed model. */
export function register(program: Command): void {
  program
    .command("demo")
    .description("measure a method's claim offline on the shipped testbed models (default AdaCAD)")
    .argument(
      "[method]",
      "adacad | mat-steer | laser | pbt | dataenvgym | upcore | symbolic-moe | magicore | utdebug | mamm-refine",
      "adacad",
    )
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
      "mat-steer: seed of the gates' initialisation and batches; pbt: LoRA, shuffling and sampling seed",
      integerArg(0),
      42,
    )
    .option(
      "--full",
      "laser: the pre-registered measurement on abacus-1m (docs/laser.md); upcore, symbolic-moe, magicore, utdebug, mamm-refine: the design's sizes instead of the smoke (upcore: 6 forget sets, 3 seeds, GA/refusal/NPO; symbolic-moe: 30 validation + 225 test items per skill; magicore: 1,000 chains, k 16; utdebug: 500 tasks, adapters on 960 examples × 3 epochs; mamm-refine: 500 summaries)",
    )
    .option(
      "--null-world",
      "laser --full: the null world's conditions (equally reliable arms); upcore: forget sets of one relation and one question template (no outliers); symbolic-moe: unspecialised experts; magicore: the magicore-null world's 2-step chains; utdebug: bugs that fail every input",
    )
    .option(
      "--recipe <name>",
      "upcore: the unlearning recipe, spec (r1/r4 on block 2's ffn_down, lr 2e-3) | strong (r4 on every block's ffn_down, lr 2e-2); docs/upcore.md",
      "spec",
    )
    .option(
      "--eval-batch <n>",
      "upcore: evaluation prompts decoded together per pass (default 32; 1 = one at a time, as before 2026-12-04; each run's record says which it used)",
      integerArg(1),
    )
    .option(
      "--train-roles",
      "magicore: train the four role adapters live instead of starting from the shipped ones (models/magicore-roles) and say whether they match them",
    )
    .option("--json", "print one JSON object (last line) instead of the table")
    .option("--measure", "pbt: the pre-registered measurement (seeds, partner, sizes; docs/pbt.md)")
    .option(
      "--train-seeds <list>",
      "pbt --measure: training seeds; laser --full: the seeds to run now (default 1,2,3)",
      pbtMeasureDefaults.trainSeeds,
    )
    .option(
      "--conditions <list>",
      "laser --full: the conditions to run now (default all registered; docs/laser.md lists them)",
    )
    .option("--rms <run-dir>", "laser --full: reuse the RM adapters and precondition of that run")
    .option(
      "--rm-recipe <name>",
      "laser --full: registered (400 examples per RM) | large (1,600: docs/laser.md, amendment 4)",
      "registered",
    )
    .option(
      "--loop-recipe <name>",
      'laser --full: registered | a5 (samples stop at " Q:": docs/laser.md, amendment 5)',
      "registered",
    )
    .option(
      "--lr <x>",
      "laser --full: the policy's learning rate (default: the loop recipe's, 5e-6)",
      numberArg(Number.MIN_VALUE),
    )
    .option("--partner <name>", "pbt --measure: the shipped weak model", pbtMeasureDefaults.partner)
    .option("--partner-path <gguf>", "pbt --measure: the weak model as a GGUF file")
    .option(
      "--eval-pairs <n>",
      "pbt --measure: persuasion pairs per side (CtI, ItC)",
      integerArg(1),
      pbtMeasureDefaults.evalPairs,
    )
    .option(
      "--sure-n <n>",
      'pbt --measure: "are you sure?" questions',
      integerArg(1),
      pbtMeasureDefaults.sureN,
    )
    .option(
      "--team-n <n>",
      "pbt --measure: team-debate questions",
      integerArg(1),
      pbtMeasureDefaults.teamN,
    )
    .option(
      "--size-match <rule>",
      "pbt --measure: balanced (the spec's: baselines cut to PBT's total) | smallest (every variant the same count)",
      pbtMeasureDefaults.sizeMatch,
    )
    .option(
      "--resume <run-dir>",
      "pbt --measure, laser --full, symbolic-moe, upcore, magicore, utdebug, mamm-refine: continue a killed run in its run folder",
    )
    .addHelpText("after", examples)
    .action(async (method: string, flags: DemoCommandFlags, command: Command) => {
      if (flags.full && !fullDemos.includes(method))
        throw new UsageError(
          `--full runs the pre-registered sizes of ${fullDemos.map((m) => `\`chorus demo ${m}\``).join(", ")} only; \`chorus demo ${method}\` has one size (drop --full)`,
        );
      if (flags.trainRoles && method !== "magicore")
        throw new UsageError(
          `--train-roles retrains \`chorus demo magicore\`'s shipped role adapters; \`chorus demo ${method}\` trains its own live (drop --train-roles)`,
        );
      if (flags.evalBatch !== undefined && method !== "upcore")
        throw new UsageError(
          `--eval-batch sets \`chorus demo upcore\`'s evaluation batch; \`chorus demo ${method}\` has none (drop --eval-batch)`,
        );
      if (method === "mat-steer") return matSteerDemo(flags);
      if (method === "laser" && flags.full)
        return laserFullDemo({
          ...flags,
          trainSeeds:
            command.getOptionValueSource("trainSeeds") === "default" ? undefined : flags.trainSeeds,
        });
      if (method === "laser" && flags.resume !== undefined)
        throw new UsageError("--resume continues `chorus demo laser --full` runs only");
      if (method === "laser")
        return laserDemo(
          {
            ...flags,
            trainSeed:
              command.getOptionValueSource("trainSeed") === "default" ? 1 : flags.trainSeed,
          },
          command.getOptionValueSource("n") !== "default",
        );
      const resumable = (method === "pbt" && flags.measure) || resumableDemos.includes(method);
      if (flags.resume !== undefined && !resumable)
        throw new UsageError(
          `--resume continues \`chorus demo pbt --measure\` and ${resumableDemos.map((m) => `\`chorus demo ${m}\``).join(", ")} runs only`,
        );
      if (method === "pbt" && flags.measure)
        return pbtMeasureDemo(flags, command.getOptionValueSource("n") !== "default");
      if (method === "pbt") return pbtDemo(flags);
      if (method === "upcore") return upcoreDemo(flags);
      if (method === "symbolic-moe") return symbolicMoeDemo(flags);
      if (method === "magicore") return magicoreDemo(flags);
      if (method === "utdebug") return utdebugDemo(flags);
      if (method === "mamm-refine") return mammRefineDemo(flags);
      if (method === "dataenvgym")
        return dataEnvGymDemo(flags, command.getOptionValueSource("n") !== "default");
      if (method !== "adacad")
        throw new UsageError(
          `chorus demo knows "adacad", "mat-steer", "laser", "pbt", "dataenvgym", "upcore", "symbolic-moe", "magicore", "utdebug" and "mamm-refine", not "${method}"`,
        );
      await runDemo(flags, adacadDemo(flags));
    });
}

/** AdaCAD vs greedy and CAD on conflicting, agreeing and context-only contexts. */
function adacadDemo(flags: DemoFlags): Demo<ContextItem[]> {
  return {
    method: "adacad",
    title: "AdaCAD (Wang et al. 2025)",
    claim: adacadClaim,
    role: "generator",
    config: { n: flags.n },
    prepare: ({ world }) =>
      adacadItems(world, flags.seed, {
        conflict: flags.n,
        agreeing: flags.n,
        contextOnly: Math.max(1, Math.round(0.6 * flags.n)),
      }),
    measure: async (model, items, { subject, run, stats, progress }) => {
      const result = await runAdacadDemo(model, items, { run, stats, progress });
      const { report } = result;
      const { config } = subject;
      return {
        reproduced: report.reproduced,
        fields: {
          n: report.n,
          accuracy: report.accuracy,
          delta: report.delta,
          meanAlpha: report.meanAlpha,
          alphaAuroc: report.alphaAuroc,
          checks: report.checks,
        },
        lines: [
          `world: ${config.people} people, ${config.people * 6} facts · eval seed ${flags.seed}: ${report.n.conflict} conflicting + ${report.n.agreeing} agreeing + ${report.n["context-only"]} context-only`,
          "e.g.",
          ...result.examples.map((e) => renderExample(e.item, e.outcome)),
          renderReport(report),
        ],
      };
    },
  };
}
