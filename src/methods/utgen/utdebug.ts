import type { ChatMessage, LanguageModel } from "../../model/language-model.ts";
import type { DebugTask } from "./debug-task.ts";
import {
  type AttemptOutcome,
  buildUnitTests,
  type GeneratedTest,
  type UtGenContext,
} from "./generate-unit-tests.ts";
import { type CallUsage, ModelCalls } from "./model-calls.ts";
import type { TestVerdict, UnitTestHarness } from "./unit-test-harness.ts";
import { chatFormat, type UtFormat } from "./ut-format.ts";
import { sandboxHarness } from "./ut-harness.ts";
import { resolveUtDebugConfig, type UtDebugConfig } from "./utdebug-config.ts";

/** What happened in one round (round 0 = the given code, no edit). */
export interface RoundTrace {
  round: number;
  /** The debugger's proposed code (rounds >= 1). */
  candidate?: string;
  /** Whether the candidate replaced the code (round 0: true). */
  accepted: boolean;
  /** Pass rate of the candidate on last round's UTs, against the kept code's rate there. */
  validation?: { candidate: number; previous: number };
  /** The code after this round. */
  code: string;
  /** Fresh UTs were generated this round. */
  regenerated: boolean;
  /** What each UT sample of this round came to (empty when no UTs were generated). */
  attempts: AttemptOutcome[];
  tests: GeneratedTest[];
  /** The code's results on `tests`. */
  verdicts: TestVerdict[];
  /** Every UT passed: debugging stops here. */
  stopped: boolean;
}

/** The outcome of UTDebug on one task. */
export interface UtDebugResult {
  finalCode: string;
  rounds: RoundTrace[];
  /** The final chat with the debugger. */
  history: ChatMessage[];
  usage: CallUsage;
}

/** The models UTDebug uses: the UT generator (UTGen or a prompted model) and the debugger. */
export interface UtDebugModels {
  utgen: LanguageModel;
  debugger: LanguageModel;
}

function passRate(verdicts: readonly TestVerdict[]): number {
  if (verdicts.length === 0) return 0;
  return verdicts.filter((v) => v.verdict === "pass").length / verdicts.length;
}

/**
 * UTDebug (spec 3.5): generate UTs for the code, show the debugger the first failing one, let it
 * rewrite the code, keep the edit only if it passes at least as many of the UTs it was meant to
 * fix (back-tracking), and stop once the code passes every current UT. The gold solution is
 * never used.
 *
 * @example
 * const result = await utDebug(task, { utgen: model, debugger: model }, { rounds: 3 });
 * result.finalCode;
 */
export async function utDebug(
  task: DebugTask,
  models: UtDebugModels,
  overrides: Partial<UtDebugConfig> = {},
  options: {
    /** Runs the task's code (default: the sandbox harness for python and js). */
    harness?: UnitTestHarness;
    /** Prompts and reply parsing (default: the paper's chat format). */
    format?: UtFormat;
    signal?: AbortSignal;
  } = {},
): Promise<UtDebugResult> {
  const config = resolveUtDebugConfig(overrides);
  const harness = options.harness ?? sandboxHarness(task.language);
  const format = options.format ?? chatFormat;
  const calls = new ModelCalls(config.seed, options.signal);
  const context: UtGenContext = { model: models.utgen, harness, calls, config, format };
  const runTests = (code: string, tests: readonly GeneratedTest[]) =>
    harness.run(code, task.entryPoint, tests, { setCompare: task.setCompare ?? false });
  const rounds: RoundTrace[] = [];

  let history: ChatMessage[] = format.debugChatStart(task);
  let code = task.buggyCode;
  const first = await buildUnitTests(task, code, context);
  let tests = first.tests;
  let verdicts = await runTests(code, tests);
  const allPass = (v: readonly TestVerdict[]) =>
    v.length > 0 && v.every((x) => x.verdict === "pass");
  const stopped0 = allPass(verdicts);
  rounds.push({
    round: 0,
    accepted: true,
    code,
    regenerated: true,
    attempts: first.attempts,
    tests,
    verdicts,
    stopped: stopped0,
  });
  if (stopped0) return { finalCode: code, rounds, history, usage: calls.usage };
  history = [...history, feedbackFor(code, tests, verdicts)];
  let previousTests = tests;
  let previousRate = passRate(verdicts);
  let edited = true;

  for (let round = 1; round <= config.rounds; round++) {
    const reply =
      (
        await calls.generate(models.debugger, {
          ...format.request(history),
          n: 1,
          temperature: config.debugSampling.temperature,
          topP: config.debugSampling.topP,
          maxTokens: config.debugSampling.maxTokens,
        })
      ).generations[0]?.text ?? "";
    const candidate = format.extractCode(reply);
    let regenerated = false;
    let attempts: AttemptOutcome[] = [];
    if (edited && config.regenerateBeforeValidation) {
      ({ tests, attempts } = await buildUnitTests(task, candidate, context));
      regenerated = true;
    }
    let accepted = true;
    let validation: RoundTrace["validation"];
    if (config.backtrack && previousTests.length > 0) {
      const rate = passRate(await runTests(candidate, previousTests));
      validation = { candidate: rate, previous: previousRate };
      accepted = rate >= previousRate;
    }
    if (accepted) code = candidate;
    edited = accepted;
    if (edited && !config.regenerateBeforeValidation) {
      ({ tests, attempts } = await buildUnitTests(task, code, context));
      regenerated = true;
    }
    const trace = { round, candidate, accepted, code, regenerated, attempts, tests };
    const withValidation = validation ? { validation } : {};
    if (tests.length === 0) {
      // no UTs this round: nothing to show the debugger, nothing to stop on
      rounds.push({ ...trace, ...withValidation, verdicts: [], stopped: false });
      if (accepted)
        history = [
          ...history,
          { role: "assistant", content: reply },
          format.reviewMessage(task, code),
        ];
      continue;
    }
    verdicts = await runTests(code, tests);
    const stopped = allPass(verdicts);
    rounds.push({ ...trace, ...withValidation, verdicts, stopped });
    if (stopped) break;
    // a rejected attempt is dropped from the chat, so the next round re-samples from the last
    // accepted state instead of answering after two assistant turns (spec pitfall 7)
    if (accepted)
      history = [
        ...history,
        { role: "assistant", content: reply },
        feedbackFor(code, tests, verdicts),
      ];
    previousTests = tests;
    previousRate = passRate(verdicts);
  }
  return { finalCode: code, rounds, history, usage: calls.usage };

  function feedbackFor(
    current: string,
    currentTests: readonly GeneratedTest[],
    results: readonly TestVerdict[],
  ): ChatMessage {
    const failing = results.findIndex((v) => v.verdict !== "pass");
    const test = currentTests[failing];
    if (failing < 0 || !test) return format.reviewMessage(task, current);
    return format.feedbackMessage(task, current, test, results[failing]!.actual);
  }
}
