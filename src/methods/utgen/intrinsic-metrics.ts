import type { LanguageModel } from "../../model/language-model.ts";
import type { DebugTask } from "./debug-task.ts";
import { selfConsistentOutput } from "./generate-unit-tests.ts";
import { ModelCalls } from "./model-calls.ts";
import type { UtPromptKind } from "./prompts.ts";
import type { IntrinsicVerdict, UnitTest, UnitTestHarness } from "./unit-test-harness.ts";
import { chatFormat, type UtFormat } from "./ut-format.ts";
import { resolveUtDebugConfig, type UtDebugConfig } from "./utdebug-config.ts";

/** Attack rate, output accuracy and their intersection over all sampled UTs (spec 3.7). */
export interface IntrinsicScores {
  total: number;
  attack: number;
  outputCorrect: number;
  accAttack: number;
  attackRate: number;
  outputAccuracy: number;
  accAttackRate: number;
}

/**
 * Scores unit tests against the gold and the buggy code. `undefined` stands for a UT that could
 * not be parsed: it counts in the denominator and as a failure on every metric.
 */
export async function scoreUnitTests(
  harness: UnitTestHarness,
  task: Pick<DebugTask, "goldCode" | "buggyCode" | "entryPoint" | "setCompare">,
  tests: readonly (UnitTest | undefined)[],
): Promise<{ verdicts: (IntrinsicVerdict | undefined)[]; scores: IntrinsicScores }> {
  if (task.goldCode === undefined)
    throw new Error("intrinsic metrics need the task's gold code (goldCode)");
  const parsed = tests.filter((t): t is UnitTest => t !== undefined);
  const results = await harness.intrinsic(task.goldCode, task.buggyCode, task.entryPoint, parsed, {
    setCompare: task.setCompare ?? false,
  });
  let next = 0;
  const verdicts = tests.map((t) => (t === undefined ? undefined : results[next++]));
  return { verdicts, scores: sumScores(verdicts) };
}

/** Adds up per-UT verdicts (undefined = unparsable = 0 on all three). */
export function sumScores(verdicts: readonly (IntrinsicVerdict | undefined)[]): IntrinsicScores {
  const total = verdicts.length;
  const attack = verdicts.filter((v) => v?.valid && v.attack).length;
  const outputCorrect = verdicts.filter((v) => v?.valid && v.outputCorrect).length;
  const accAttack = verdicts.filter((v) => v?.valid && v.attack && v.outputCorrect).length;
  const rate = (n: number) => (total === 0 ? 0 : n / total);
  return {
    total,
    attack,
    outputCorrect,
    accAttack,
    attackRate: rate(attack),
    outputAccuracy: rate(outputCorrect),
    accAttackRate: rate(accAttack),
  };
}

/** Options for sampling UTs for the intrinsic evaluation. */
export interface IntrinsicOptions {
  nUts?: number;
  kind?: UtPromptKind;
  /** Sample at T 0.8 / top-p 0.9 (the script's --use-temp); false = greedy. */
  useTemperature?: boolean;
  maxTokens?: number;
  /** Decide outputs by the SC vote (UTGen + test-time scaling) instead of the response's own. */
  selfConsistency?: boolean;
  seed?: number;
  /** Prompts and reply parsing (default: the paper's chat format). */
  format?: UtFormat;
  /** Vote settings for `selfConsistency` (votes, voteFrac, voteKey, scSampling; default spec 4's). */
  vote?: Partial<UtDebugConfig>;
}

/** Samples `nUts` UTs independently for the buggy code and scores them (spec 3.7). */
export async function intrinsicEval(
  task: DebugTask,
  model: LanguageModel,
  harness: UnitTestHarness,
  options: IntrinsicOptions = {},
): Promise<{ tests: (UnitTest | undefined)[]; scores: IntrinsicScores }> {
  const nUts = options.nUts ?? 3;
  const calls = new ModelCalls(options.seed ?? 0);
  const format = options.format ?? chatFormat;
  const messages = format.unitTestPrompt(task, task.buggyCode, options.kind ?? "adversarial");
  const sampling =
    (options.useTemperature ?? true) ? { temperature: 0.8, topP: 0.9 } : { temperature: 0 };
  const tests: (UnitTest | undefined)[] = [];
  const config = resolveUtDebugConfig({ ...options.vote, seed: options.seed ?? 0 });
  for (let i = 0; i < nUts; i++) {
    const result = await calls.generate(model, {
      ...format.request(messages),
      n: 1,
      ...sampling,
      maxTokens: options.maxTokens ?? 2560,
    });
    const response = result.generations[0]?.text ?? "";
    const input = format.parseInput(response, task.entryPoint);
    let output = format.parseOutput(response);
    if (input !== undefined && options.selfConsistency) {
      const voted = await selfConsistentOutput(
        { model, harness, calls, config, format },
        messages,
        response,
      );
      output = voted?.output;
    }
    tests.push(input === undefined || output === undefined ? undefined : { input, output });
  }
  const { scores } = await scoreUnitTests(harness, task, tests);
  return { tests, scores };
}
