import { join } from "node:path";
import type { Command } from "commander";
import { GymEnvironment, type TrainOn } from "../../methods/dataenvgym/environment.ts";
import { runEpisode, type StopCheck } from "../../methods/dataenvgym/episode.ts";
import { type GymEnvironmentName, gymEnvironments } from "../../methods/dataenvgym/gym-setup.ts";
import type { TrainablePredictor } from "../../methods/dataenvgym/types.ts";
import { integerArg, openSession } from "../model-options.ts";
import { registerGymCompare } from "./gym-compare.ts";
import { addGymOptions, cycleLine, type GymFlags, gymParts, oneOf, pct } from "./gym-options.ts";

interface RunFlags extends GymFlags {
  env: string;
  stopAt?: number;
  stopCheck: string;
  trainOn?: string;
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

/** `chorus gym run` (one episode) and `chorus gym compare` (teachers vs a baseline). */
export function register(program: Command): void {
  const gym = program
    .command("gym")
    .description("DataEnvGym: teacher agents generate training data from a student's errors");
  const run = gym
    .command("run")
    .description("one episode: evaluate, generate data, retrain the student from the base, repeat")
    .requiredOption("--env <name>", `environment: ${gymEnvironments.join(" | ")}`);
  addGymOptions(run)
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
    .addHelpText("after", examples)
    .action(async (flags: RunFlags) => {
      process.exitCode = await gymRun(flags);
    });
  registerGymCompare(gym);
}

async function gymRun(flags: RunFlags): Promise<number> {
  const env = oneOf<GymEnvironmentName>(flags.env, gymEnvironments, "--env");
  const stopCheck = oneOf<StopCheck>(flags.stopCheck, ["total", "batch"], "--stop-check");
  const trainOn = oneOf<TrainOn>(
    flags.trainOn ?? "accumulated",
    ["accumulated", "new"],
    "--train-on",
  );
  const session = await openSession(flags, {
    run: true,
    runConfig: { method: "dataenvgym", ...flags },
    argv: process.argv.slice(2),
  });
  let student: (TrainablePredictor & { close?: () => Promise<void> }) | undefined;
  try {
    const dir = session.run!.dir;
    const log = (m: string) => {
      if (!flags.json) process.stderr.write(`${m}\n`);
    };
    const parts = await gymParts(flags, session, log);
    const seed = flags.seed ?? 0;
    const agent = parts.agent(env, seed);
    student = await parts.student(seed);
    const { splits } = parts;
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
    await student?.close?.();
    await session.close();
  }
}
