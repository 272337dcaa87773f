import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { AbacusDataEngine } from "../../methods/dataenvgym/abacus-engine.ts";
import { GymEnvironment, type TrainOn } from "../../methods/dataenvgym/environment.ts";
import { runEpisode, type StopCheck } from "../../methods/dataenvgym/episode.ts";
import {
  type GymEnvironmentName,
  gymEnvironments,
  labelledSkills,
  loadGymSplits,
  makeAgent,
  type SkillTreePolicyName,
  skillTreePolicies,
} from "../../methods/dataenvgym/gym-setup.ts";
import { LlmDataEngine } from "../../methods/dataenvgym/llm-engine.ts";
import { LoraStudent } from "../../methods/dataenvgym/lora-student.ts";
import type { CycleRecord } from "../../methods/dataenvgym/run-folder.ts";
import { LlmSkillDiscovery } from "../../methods/dataenvgym/skill-discovery.ts";
import { LookupStudent } from "../../methods/dataenvgym/stub-students.ts";
import type { PerformanceReport, TrainablePredictor } from "../../methods/dataenvgym/types.ts";
import { UsageError } from "../../model/errors.ts";
import {
  addModelOptions,
  addRunOptions,
  integerArg,
  type ModelFlags,
  numberArg,
  openSession,
  type RunFlags,
} from "../model-options.ts";

interface GymFlags extends ModelFlags, RunFlags {
  env: string;
  task: string;
  student: string;
  engine: string;
  validationN: number;
  testN: number;
  cycles: number;
  iterationsPerCycle: number;
  budget?: number;
  perCall?: number;
  hypotheses?: number;
  perHypothesis?: number;
  allSkills?: boolean;
  policy: string;
  explore: number;
  allocation: number;
  maxDataPerSkill: number;
  skills?: string;
  discoverSkills?: boolean;
  stopAt?: number;
  stopCheck: string;
  trainOn?: string;
  lr: number;
  epochs: number;
  rank: number;
  batchSize: number;
  gradAccum: number;
  maxTokens: number;
  maxLength: number;
  eos: boolean;
  wrongLabelRate: number;
  maxFieldChars?: number;
  temperature: number;
}

const examples = `
Examples:
  # the testbed: Abacus problems, the world generator as the engine, a LoRA student
  $ chorus gym run --env skill-tree --task abacus --engine abacus --student models/abacus-1m.gguf \\
      --cycles 5 --allocation 20 --lr 1e-3 --epochs 3

  # the same loop with a table student (memorises its data): a dry run of a teacher in seconds
  $ chorus gym run --env skill-list --task abacus --engine abacus --student lookup --cycles 3 --json

  # GSM8K with an LLM teacher on a server (JSON-schema output) and a local student
  $ chorus gym run --env open-ended --task gsm8k --student student.gguf \\
      --base-url http://127.0.0.1:8000/v1 --model Qwen2.5-7B-Instruct --budget 120 --cycles 10

  # MBPP (pass@1 in the sandbox): skills discovered once by the teacher and frozen in the run
  $ chorus gym run --env skill-list --task mbpp --discover-skills --student coder.gguf --model teacher.gguf

  # continue a killed episode (same flags): it retrains from the base on the saved data
  $ chorus gym run --env skill-tree --task abacus --engine abacus --student s.gguf --resume runs/<id>

Environments: open-ended (raw errors), skill-list (errors grouped by skill), skill-tree
(explore/exploit subskills per skill), uniform (state-agnostic baseline at the same budget).
Each cycle retrains the student from the base on all data so far (--train-on new: the code
closed loop). The run folder holds episode/cycles.jsonl (reports per cycle and skill),
episode/data.jsonl and the teacher's state; see docs/dataenvgym.md.`;

const oneOf = <T extends string>(value: string, allowed: readonly T[], flag: string): T => {
  if (!(allowed as readonly string[]).includes(value))
    throw new UsageError(`${flag} must be one of ${allowed.join(", ")}; got "${value}"`);
  return value as T;
};

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const slices = (r: PerformanceReport) =>
  r.slices.map((s) => `${s.name} ${pct(s.accuracy)}`).join(", ");

function cycleLine(r: CycleRecord): string {
  const data =
    r.cycle === 0
      ? "untrained"
      : `+${r.generated.reduce((a, b) => a + b, 0)} data (${r.accumulated} total)`;
  const test = r.test ? ` · test ${pct(r.test.accuracy)}` : "";
  const per = r.validation.slices.length > 0 ? ` [${slices(r.validation)}]` : "";
  return `cycle ${r.cycle}: ${data} · validation ${pct(r.validation.accuracy)}${per}${test}${r.stopped ? " · stopped" : ""}`;
}

/** `chorus gym run`: one DataEnvGym episode. */
export function register(program: Command): void {
  const gym = program
    .command("gym")
    .description("DataEnvGym: teacher agents generate training data from a student's errors");
  const run = gym
    .command("run")
    .description("one episode: evaluate, generate data, retrain the student from the base, repeat");
  addRunOptions(addModelOptions(run))
    .requiredOption("--env <name>", `environment: ${gymEnvironments.join(" | ")}`)
    .requiredOption("--task <name>", "abacus (testbed), mbpp, gsm8k, math500 or a math file")
    .requiredOption("--student <gguf|lookup>", "the student GGUF (LoRA SFT), or lookup (a table)")
    .option("--engine <llm|abacus>", "data engine: the --model teacher, or the Abacus world", "llm")
    .option(
      "--validation-n <n>",
      "validation problems (abacus: ⌈n/8⌉ per skill)",
      integerArg(1),
      40,
    )
    .option("--test-n <n>", "held-out test problems (0: none)", integerArg(0), 100)
    .option("--cycles <n>", "retrainings of the student", integerArg(1), 10)
    .option(
      "--iterations-per-cycle <n>",
      "teacher calls per cycle on the same feedback",
      integerArg(1),
      1,
    )
    .option(
      "--budget <n>",
      "data per step (open-ended, uniform: default 120; skill-list: split ∝ errors)",
      integerArg(1),
    )
    .option("--per-call <n>", "open-ended: data per teacher call (default 10)", integerArg(1))
    .option(
      "--hypotheses <n>",
      "skill-list: weak-subskill hypotheses per skill (default 5)",
      integerArg(1),
    )
    .option("--per-hypothesis <n>", "skill-list: data per hypothesis (default 5)", integerArg(1))
    .option("--all-skills", "skill-list: every skill, not only those with errors")
    .option("--policy <name>", `skill-tree policy: ${skillTreePolicies.join(" | ")}`, "alternating")
    .option("--explore <n>", "skill-tree: subskills per explore", integerArg(1), 2)
    .option("--allocation <n>", "skill-tree: data per new subskill", integerArg(0), 30)
    .option(
      "--max-data-per-skill <n>",
      "skill-tree: stop allocating to a skill after this",
      integerArg(1),
      200,
    )
    .option("--skills <file>", "frozen skill discovery (JSON from an earlier --discover-skills)")
    .option("--discover-skills", "discover skills with the teacher once, save them in the run")
    .option("--stop-at <n>", "stop once this much data was generated", integerArg(1))
    .option(
      "--stop-check <total|batch>",
      "stop on the accumulated total or the latest batch",
      "total",
    )
    .option(
      "--train-on <accumulated|new>",
      "retrain on all data so far (default) or the newest only",
    )
    .option("--lr <x>", "student LoRA learning rate", numberArg(0), 1e-4)
    .option("--epochs <n>", "student epochs per retraining", integerArg(1), 3)
    .option("--rank <n>", "student LoRA rank (alpha = 2 rank, all linear layers)", integerArg(1), 8)
    .option("--batch-size <n>", "student micro-batch", integerArg(1), 1)
    .option("--grad-accum <n>", "student micro-batches per step", integerArg(1), 16)
    .option("--max-tokens <n>", "student answer length", integerArg(1), 350)
    .option("--max-length <n>", "student: longest training example in tokens", integerArg(1), 1024)
    .option("--no-eos", "do not end training targets with EOS (models that never saw it)")
    .option(
      "--wrong-label-rate <x>",
      "abacus engine: share of mislabelled data",
      numberArg(0, 1),
      0,
    )
    .option("--max-field-chars <n>", "llm engine: maxLength of each JSON text field", integerArg(1))
    .option("--temperature <x>", "teacher sampling temperature", numberArg(0), 0.7)
    .addHelpText("after", examples)
    .action(async (flags: GymFlags) => {
      process.exitCode = await gymRun(flags);
    });
}

async function gymRun(flags: GymFlags): Promise<number> {
  const env = oneOf<GymEnvironmentName>(flags.env, gymEnvironments, "--env");
  const engineName = oneOf(flags.engine, ["llm", "abacus"] as const, "--engine");
  const policy = oneOf<SkillTreePolicyName>(flags.policy, skillTreePolicies, "--policy");
  const stopCheck = oneOf<StopCheck>(flags.stopCheck, ["total", "batch"], "--stop-check");
  const trainOn = oneOf<TrainOn>(
    flags.trainOn ?? "accumulated",
    ["accumulated", "new"],
    "--train-on",
  );
  if (engineName === "abacus" && flags.task !== "abacus")
    throw new UsageError("--engine abacus makes Abacus problems: use it with --task abacus");
  const needsTeacher = engineName === "llm" || flags.discoverSkills === true;
  if (needsTeacher && (flags.model ?? []).length === 0)
    throw new UsageError(
      "the llm engine and --discover-skills need a teacher: --model <name|gguf>",
    );
  const seed = flags.seed ?? 0;
  const splits = loadGymSplits(flags.task, {
    validationN: flags.validationN,
    testN: flags.testN,
    seed,
  });
  const session = await openSession(flags, {
    run: true,
    runConfig: { method: "dataenvgym", ...flags },
    argv: process.argv.slice(2),
  });
  let student: TrainablePredictor | undefined;
  try {
    const dir = session.run!.dir;
    const teacher = needsTeacher ? await session.pool.acquire(session.models[0]!) : undefined;
    const saved = join(dir, "skills.json");
    let skills = labelledSkills(splits);
    if (flags.skills) skills = LlmSkillDiscovery.load(flags.skills, teacher);
    else if (existsSync(saved)) skills = LlmSkillDiscovery.load(saved, teacher);
    else if (flags.discoverSkills) {
      const found = await LlmSkillDiscovery.discover(
        teacher!,
        [...splits.validation.instances, ...(splits.test?.instances ?? [])],
        { seed },
      );
      found.save(saved);
      skills = found;
    }
    const log = (m: string) => {
      if (!flags.json) process.stderr.write(`${m}\n`);
    };
    const engine =
      engineName === "abacus"
        ? new AbacusDataEngine({ seed, wrongLabelRate: flags.wrongLabelRate })
        : new LlmDataEngine(teacher!, splits.validation, {
            kind: splits.kind === "code" ? "code" : "worked",
            temperature: flags.temperature,
            seed,
            ...(flags.maxFieldChars !== undefined ? { maxFieldChars: flags.maxFieldChars } : {}),
            log: (e) => {
              if (e.dropped) log(`teacher ${e.call}: dropped (${e.dropped})`);
            },
          });
    const agent = makeAgent({
      env,
      engine,
      splits,
      ...(skills ? { skills } : {}),
      ...(flags.budget !== undefined ? { budget: flags.budget } : {}),
      ...(flags.perCall !== undefined ? { perCall: flags.perCall } : {}),
      ...(flags.hypotheses !== undefined ? { hypotheses: flags.hypotheses } : {}),
      ...(flags.perHypothesis !== undefined ? { perHypothesis: flags.perHypothesis } : {}),
      ...(flags.allSkills ? { onlyErrors: false } : {}),
      policy,
      explore: flags.explore,
      allocation: flags.allocation,
      maxDataPerSkill: flags.maxDataPerSkill,
      seed,
    });
    student =
      flags.student === "lookup"
        ? new LookupStudent()
        : await LoraStudent.load(flags.student, {
            lora: {
              rank: flags.rank,
              alpha: 2 * flags.rank,
              targets: [
                "attn_q",
                "attn_k",
                "attn_v",
                "attn_output",
                "ffn_gate",
                "ffn_up",
                "ffn_down",
              ],
              seed,
            },
            lr: flags.lr,
            epochs: flags.epochs,
            batchSize: flags.batchSize,
            gradientAccumulation: flags.gradAccum,
            maxTokens: flags.maxTokens,
            maxLength: flags.maxLength,
            appendEos: flags.eos,
            prompt: splits.prompt,
            seed,
            onTrained: (t) =>
              log(
                `student: ${t.data} data${t.dropped ? ` (${t.dropped} over --max-length left out)` : ""}, ${t.steps} steps, loss ${t.loss.toFixed(3)}, ${t.seconds.toFixed(1)} s`,
              ),
          });
    const result = await runEpisode({
      env: new GymEnvironment({
        validation: splits.validation,
        ...(splits.test ? { test: splits.test } : {}),
        student,
        trainOn,
      }),
      agent,
      cycles: flags.cycles,
      iterationsPerCycle: flags.iterationsPerCycle,
      ...(flags.stopAt !== undefined ? { stopAt: flags.stopAt } : {}),
      stopCheck,
      dir: join(dir, "episode"),
      onCycle: (r) => {
        process.stdout.write(`${flags.json ? JSON.stringify(r) : cycleLine(r)}\n`);
      },
    });
    if (student.save && flags.student !== "lookup")
      await student.save(join(dir, "student-adapter.gguf"));
    const first = result.records[0]!;
    const last = result.records.at(-1)!;
    const summary = {
      run: dir,
      env,
      task: flags.task,
      agent: agent.name,
      cycles: last.cycle,
      data: result.data.length,
      resumedCycles: result.resumedCycles,
      validation: { before: first.validation.accuracy, after: last.validation.accuracy },
      ...(first.test && last.test
        ? { test: { before: first.test.accuracy, after: last.test.accuracy } }
        : {}),
    };
    if (flags.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
    else
      process.stdout.write(
        `${agent.name} on ${flags.task}: validation ${pct(summary.validation.before)} -> ${pct(summary.validation.after)}${summary.test ? `, test ${pct(summary.test.before)} -> ${pct(summary.test.after)}` : ""} with ${summary.data} data · run ${dir}\n`,
      );
    return 0;
  } finally {
    await (student as { close?: () => Promise<void> } | undefined)?.close?.();
    await session.close();
  }
}
