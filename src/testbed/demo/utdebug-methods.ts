import type { EvalItem } from "../../evals/eval-item.ts";
import type { EvalContext, EvalMethod, MethodOutput } from "../../evals/eval-method.ts";
import { deriveSeed } from "../../math/seeded-random.ts";
import { intrinsicEval } from "../../methods/utgen/intrinsic-metrics.ts";
import type { UtPromptKind } from "../../methods/utgen/prompts.ts";
import { utDebug } from "../../methods/utgen/utdebug.ts";
import type { UtDebugConfig } from "../../methods/utgen/utdebug-config.ts";
import { parseProgram, programCode } from "../abacus/prog-dsl.ts";
import { ProgHarness } from "./utdebug-dsl-harness.ts";
import { progFormat, rewriteQuestion } from "./utdebug-format.ts";
import { hiddenPasses, type ProgDebugTask, progDebugTask } from "./utdebug-tasks.ts";

/** UTDebug's settings in the demo (design §5): 3 UTs, 8 votes (≥ 4 agree), 3 rounds, backtracking. */
export const utdebugSettings: Partial<UtDebugConfig> = {
  nUts: 3,
  rounds: 3,
  votes: 8,
  voteFrac: 0.5,
  backtrack: true,
  // the answers are < 80 tokens; the spec's 8k caps would run a base model to its context's end
  utSampling: { temperature: 0.7, topP: 0.9, maxTokens: 96 },
  scSampling: { temperature: 0.8, topP: 0.9, maxTokens: 96 },
  debugSampling: { temperature: 0.7, topP: 0.9, maxTokens: 32 },
};

/** The demo's eval methods by role in the claim (names as they appear in the run's records). */
export const utdebugArms = {
  oracle: "utdebug-oracle-ut",
  utgen: "utdebug-utgen",
  random: "utdebug-random-ut",
  noUt: "no-ut-debugger",
  noBacktrack: "utdebug-utgen-no-backtrack",
  utgenTests: "ut-utgen",
  utgenVoted: "ut-utgen-vote",
  randomTests: "ut-random-ut",
  baseAdversarial: "ut-base-adversarial",
  baseRandom: "ut-base-random",
} as const;

/** The pool's model names. */
export const utdebugModels = {
  base: "abacus-1m",
  utgen: "utgen",
  random: "random-ut",
  debugger: "debugger",
  noUt: "no-ut-debugger",
} as const;

const taskOf = (item: EvalItem) => item.meta["task"] as ProgDebugTask;

/** Pass@1 of `code` on the task's 20 hidden tests, and how many it passes. */
export function hiddenScore(task: ProgDebugTask, code: string): { passes: number; pass: boolean } {
  const program = parseProgram(code);
  const passes = program ? hiddenPasses(task.gold, program, task.hidden) : 0;
  return { passes, pass: passes === task.hidden.length };
}

function debugOutput(
  task: ProgDebugTask,
  finalCode: string,
  details: Record<string, unknown>,
): MethodOutput {
  const { passes, pass } = hiddenScore(task, finalCode);
  return {
    prediction: pass ? "pass" : "fail",
    score: pass ? 1 : 0,
    details: {
      finalCode,
      hiddenPasses: passes,
      buggyPasses: task.buggyPasses,
      regression: passes < task.buggyPasses,
      perturbation: task.perturbation,
      ...details,
    },
  };
}

/** UTDebug through the method's `utDebug`, the UTs from `utgenModel`, edits by the debugger. */
export function utdebugArm(
  name: string,
  utgenModel: string,
  overrides: Partial<UtDebugConfig>,
  description: string,
): EvalMethod {
  return {
    name,
    description,
    answerTypes: ["text"],
    async runItem(item: EvalItem, context: EvalContext) {
      const task = taskOf(item);
      const harness = new ProgHarness();
      const result = await context.models.use(utgenModel, (utgen) =>
        context.models.use(utdebugModels.debugger, (debuggerModel) =>
          utDebug(
            progDebugTask(task),
            { utgen, debugger: debuggerModel },
            { ...utdebugSettings, ...overrides, seed: deriveSeed(context.seed, item.id) },
            { harness, format: progFormat, ...(context.signal ? { signal: context.signal } : {}) },
          ),
        ),
      );
      return debugOutput(task, result.finalCode, {
        rounds: result.rounds.map((r) => ({
          round: r.round,
          candidate: r.candidate,
          accepted: r.accepted,
          tests: r.tests.map((t) => ({ input: t.input, output: t.output, votes: t.votes })),
          verdicts: r.verdicts.map((v) => v.verdict),
          attempts: r.attempts,
          stopped: r.stopped,
        })),
      });
    },
  };
}

/** The no-UT baseline: the no-UT debugger rewrites the code each round, nothing is executed. */
export const noUtArm: EvalMethod = {
  name: utdebugArms.noUt,
  description: "no unit tests: (spec, code) → code, 3 rounds",
  answerTypes: ["text"],
  async runItem(item, context) {
    const task = taskOf(item);
    const rounds = utdebugSettings.rounds ?? 3;
    const sampling = utdebugSettings.debugSampling!;
    let code = programCode(task.buggy);
    const trace: string[] = [];
    await context.models.use(utdebugModels.noUt, async (model) => {
      for (let round = 1; round <= rounds; round++) {
        const reply = await model.generate({
          ...progFormat.request([
            { role: "user", content: rewriteQuestion({ description: task.spec }, code) },
          ]),
          temperature: sampling.temperature,
          topP: sampling.topP,
          maxTokens: sampling.maxTokens,
          seed: deriveSeed(context.seed, `${item.id}-${round}`),
        });
        const candidate = progFormat.extractCode(reply.generations[0]?.text ?? "");
        if (candidate !== "") code = candidate;
        trace.push(code);
      }
    });
    return debugOutput(task, code, { rounds: trace });
  },
};

/** Intrinsic metrics (spec 3.7) of 3 UTs sampled for the buggy code; score = Acc∩Attack. */
export function intrinsicArm(
  name: string,
  modelName: string,
  kind: UtPromptKind,
  selfConsistency: boolean,
  description: string,
): EvalMethod {
  return {
    name,
    description,
    answerTypes: ["text"],
    async runItem(item, context) {
      const task = taskOf(item);
      const { tests, scores } = await context.models.use(modelName, (model) =>
        intrinsicEval(progDebugTask(task), model, new ProgHarness(), {
          nUts: utdebugSettings.nUts ?? 3,
          kind,
          useTemperature: true,
          maxTokens: utdebugSettings.utSampling!.maxTokens,
          selfConsistency,
          seed: deriveSeed(context.seed, item.id),
          format: progFormat,
          vote: utdebugSettings,
        }),
      );
      return {
        prediction: scores.accAttackRate.toFixed(3),
        score: scores.accAttackRate,
        details: {
          tests,
          attack: scores.attackRate,
          outputAccuracy: scores.outputAccuracy,
          accAttack: scores.accAttackRate,
        },
      };
    },
  };
}

/** Every arm of the demo, UTGen's UTDebug first (the report pairs the rest with it). */
export function utdebugMethods(): EvalMethod[] {
  const a = utdebugArms;
  const m = utdebugModels;
  return [
    utdebugArm(a.utgen, m.utgen, {}, "UTDebug with UTGen's UTs (adversarial prompt, 8 votes)"),
    utdebugArm(
      a.oracle,
      m.utgen,
      { oracleOutputs: true },
      "UTDebug, UTGen's inputs with gold outputs (upper bound)",
    ),
    utdebugArm(a.random, m.random, { utSource: "random" }, "UTDebug with random-UT's UTs"),
    noUtArm,
    utdebugArm(
      a.noBacktrack,
      m.utgen,
      { backtrack: false },
      "UTDebug with UTGen's UTs, no backtracking",
    ),
    intrinsicArm(a.utgenTests, m.utgen, "adversarial", false, "UTGen's UTs, own outputs"),
    intrinsicArm(
      a.utgenVoted,
      m.utgen,
      "adversarial",
      true,
      "UTGen's UTs, outputs by the 8-sample vote",
    ),
    intrinsicArm(a.randomTests, m.random, "random", false, "random-UT's UTs"),
    intrinsicArm(
      a.baseAdversarial,
      m.base,
      "adversarial",
      false,
      "untrained abacus-1m, adversarial prompt",
    ),
    intrinsicArm(a.baseRandom, m.base, "random", false, "untrained abacus-1m, random prompt"),
  ];
}
