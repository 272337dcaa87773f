import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { AbacusDataEngine } from "../../methods/dataenvgym/abacus-engine.ts";
import type { DataEngine } from "../../methods/dataenvgym/data-engine.ts";
import {
  type GymEnvironmentName,
  type GymSplits,
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
import type {
  DataGenerationAgent,
  PerformanceReport,
  SkillDiscovery,
  TrainablePredictor,
} from "../../methods/dataenvgym/types.ts";
import { UsageError } from "../../model/errors.ts";
import type { LanguageModel } from "../../model/language-model.ts";
import {
  addModelOptions,
  addRunOptions,
  integerArg,
  type ModelFlags,
  numberArg,
  type RunFlags,
  type Session,
} from "../model-options.ts";
import { gymNotation } from "./gym-notation.ts";

/** The flags `chorus gym run` and `chorus gym compare` share. */
export interface GymFlags extends ModelFlags, RunFlags {
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
  lr: number;
  epochs: number;
  rank: number;
  batchSize: number;
  gradAccum: number;
  maxTokens: number;
  evalBatch: number;
  maxLength: number;
  eos: boolean;
  wrongLabelRate: number;
  notation?: string;
  maxFieldChars?: number;
  temperature: number;
}

export const oneOf = <T extends string>(value: string, allowed: readonly T[], flag: string): T => {
  if (!(allowed as readonly string[]).includes(value))
    throw new UsageError(`${flag} must be one of ${allowed.join(", ")}; got "${value}"`);
  return value as T;
};

/** Adds the model, run, task, teacher and student options. */
export function addGymOptions(command: Command): Command {
  return addRunOptions(addModelOptions(command))
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
    .option("--lr <x>", "student LoRA learning rate", numberArg(0), 1e-4)
    .option("--epochs <n>", "student epochs per retraining", integerArg(1), 3)
    .option("--rank <n>", "student LoRA rank (alpha = 2 rank, all linear layers)", integerArg(1), 8)
    .option("--batch-size <n>", "student micro-batch", integerArg(1), 1)
    .option("--grad-accum <n>", "student micro-batches per step", integerArg(1), 16)
    .option("--max-tokens <n>", "student answer length", integerArg(1), 350)
    .option(
      "--eval-batch <n>",
      "student: prompts decoded together when answering (1: one at a time, same answers)",
      integerArg(1),
      32,
    )
    .option("--max-length <n>", "student: longest training example in tokens", integerArg(1), 1024)
    .option("--no-eos", "do not end training targets with EOS (models that never saw it)")
    .option(
      "--wrong-label-rate <x>",
      "abacus engine: share of mislabelled data",
      numberArg(0, 1),
      0,
    )
    .option(
      "--notation <name>",
      "abacus: msb-first | lsb-first numbers (default: the student's record beside its GGUF, else msb-first)",
    )
    .option("--max-field-chars <n>", "llm engine: maxLength of each JSON text field", integerArg(1))
    .option("--temperature <x>", "teacher sampling temperature", numberArg(0), 0.7);
}

export const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const slices = (r: PerformanceReport) =>
  r.slices.map((s) => `${s.name} ${pct(s.accuracy)}`).join(", ");

/** One cycle as a line of text. */
export function cycleLine(r: CycleRecord): string {
  const data =
    r.cycle === 0
      ? "untrained"
      : `+${r.generated.reduce((a, b) => a + b, 0)} data (${r.accumulated} total)`;
  const test = r.test ? ` · test ${pct(r.test.accuracy)}` : "";
  const per = r.validation.slices.length > 0 ? ` [${slices(r.validation)}]` : "";
  return `cycle ${r.cycle}: ${data} · validation ${pct(r.validation.accuracy)}${per}${test}${r.stopped ? " · stopped" : ""}`;
}

/** What the flags make: the splits, the skills, and makers of engines, teachers and students. */
export interface GymParts {
  splits: GymSplits;
  skills?: SkillDiscovery;
  agent: (env: GymEnvironmentName, seed: number) => DataGenerationAgent;
  student: (seed: number) => Promise<TrainablePredictor & { close?: () => Promise<void> }>;
}

/**
 * Builds the parts from the flags inside an open session (the teacher is its first --model).
 * Skills: --skills (frozen file), else a discovery saved in the run (`skills.json`, reused on
 * --resume), else --discover-skills (once, saved there), else the task's labels.
 */
export async function gymParts(
  flags: GymFlags,
  session: Session,
  log: (m: string) => void,
): Promise<GymParts> {
  const engineName = oneOf(flags.engine, ["llm", "abacus"] as const, "--engine");
  const policy = oneOf<SkillTreePolicyName>(flags.policy, skillTreePolicies, "--policy");
  if (engineName === "abacus" && flags.task !== "abacus")
    throw new UsageError("--engine abacus makes Abacus problems: use it with --task abacus");
  const needsTeacher = engineName === "llm" || flags.discoverSkills === true;
  if (needsTeacher && (flags.model ?? []).length === 0)
    throw new UsageError(
      "the llm engine and --discover-skills need a teacher: --model <name|gguf>",
    );
  const seed = flags.seed ?? 0;
  const { notation, source } = gymNotation(flags);
  if (flags.task === "abacus") log(`abacus numbers: ${notation} (${source})`);
  const splits = await loadGymSplits(flags.task, {
    validationN: flags.validationN,
    testN: flags.testN,
    seed,
    notation,
  });
  const teacher: LanguageModel | undefined = needsTeacher
    ? await session.pool.acquire(session.models[0]!)
    : undefined;
  const saved = session.run ? join(session.run.dir, "skills.json") : undefined;
  let skills = labelledSkills(splits);
  if (flags.skills) skills = LlmSkillDiscovery.load(flags.skills, teacher);
  else if (saved && existsSync(saved)) skills = LlmSkillDiscovery.load(saved, teacher);
  else if (flags.discoverSkills) {
    const found = await LlmSkillDiscovery.discover(
      teacher!,
      [...splits.validation.instances, ...(splits.test?.instances ?? [])],
      { seed },
    );
    if (saved) found.save(saved);
    skills = found;
  }
  const engine = (runSeed: number): DataEngine =>
    engineName === "abacus"
      ? new AbacusDataEngine({ seed: runSeed, wrongLabelRate: flags.wrongLabelRate, notation })
      : new LlmDataEngine(teacher!, splits.validation, {
          kind: splits.kind === "code" ? "code" : "worked",
          temperature: flags.temperature,
          seed: runSeed,
          ...(flags.maxFieldChars !== undefined ? { maxFieldChars: flags.maxFieldChars } : {}),
          log: (e) => {
            if (e.dropped) log(`teacher ${e.call}: dropped (${e.dropped})`);
          },
        });
  const allLinear = ["attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"];
  return {
    splits,
    ...(skills ? { skills } : {}),
    agent: (env, runSeed) =>
      makeAgent({
        env,
        engine: engine(runSeed),
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
        seed: runSeed,
      }),
    student: async (runSeed) =>
      flags.student === "lookup"
        ? new LookupStudent()
        : LoraStudent.load(flags.student, {
            lora: { rank: flags.rank, alpha: 2 * flags.rank, targets: allLinear, seed: runSeed },
            lr: flags.lr,
            epochs: flags.epochs,
            batchSize: flags.batchSize,
            gradientAccumulation: flags.gradAccum,
            maxTokens: flags.maxTokens,
            evalBatch: flags.evalBatch,
            maxLength: flags.maxLength,
            appendEos: flags.eos,
            prompt: splits.prompt,
            ...(splits.stopAt ? { stopAt: splits.stopAt } : {}),
            seed: runSeed,
            onTrained: (t) =>
              log(
                `student: ${t.data} data${t.dropped ? ` (${t.dropped} over --max-length left out)` : ""}, ${t.steps} steps, loss ${t.loss.toFixed(3)}, ${t.seconds.toFixed(1)} s`,
              ),
          }),
  };
}
