import { ConfigError } from "../../model/errors.ts";
import type { ChatMessage, LanguageModel } from "../../model/language-model.ts";
import type { DebugTask } from "./debug-task.ts";
import { majorityVote } from "./majority-vote.ts";
import type { ModelCalls } from "./model-calls.ts";
import type { ParsedLiteral, UnitTest, UnitTestHarness } from "./unit-test-harness.ts";
import { chatFormat, type UtFormat } from "./ut-format.ts";
import type { UtDebugConfig } from "./utdebug-config.ts";

/** A generated unit test and how its output was decided. */
export interface GeneratedTest extends UnitTest {
  /** Samples in the winning SC group (0 for example tests). */
  votes: number;
  /** The UT response (hypothesis, input reasoning), for inspection. */
  response?: string;
}

/** What a UT generator needs. */
export interface UtGenContext {
  model: LanguageModel;
  harness: UnitTestHarness;
  calls: ModelCalls;
  config: UtDebugConfig;
  /** Prompts and reply parsing (default: the paper's chat format). */
  format?: UtFormat;
}

/** Why the last attempt of a round was or was not kept (for traces and tests). */
export type AttemptOutcome = "kept" | "no-input" | "rejected-by-vote" | "duplicate";

/** The SC samples for one UT response: continuations of its text before the Output section. */
export async function sampleOutputs(
  context: UtGenContext,
  messages: readonly ChatMessage[],
  response: string,
): Promise<(string | undefined)[] | undefined> {
  const { config } = context;
  const format = context.format ?? chatFormat;
  const prefix = format.cutBeforeOutput(response);
  if (prefix === undefined) return undefined;
  const request =
    config.scMode === "prefill"
      ? format.request(messages, prefix)
      : format.request(format.outputOnlyPrompt(messages, prefix));
  const result = await context.calls.generate(context.model, {
    ...request,
    n: config.votes,
    temperature: config.scSampling.temperature,
    topP: config.scSampling.topP,
    maxTokens: config.scSampling.maxTokens,
  });
  return result.generations.map((g) => format.parseOutput(g.text));
}

/**
 * The SC vote over sampled output texts (spec 3.3) given their Python parses (one per present
 * text, in order): the majority literal wins if it has at least round(voteFrac * votes)
 * samples; unparsable samples count against the threshold.
 */
export function voteOnOutputs(
  config: UtDebugConfig,
  texts: readonly (string | undefined)[],
  parsed: readonly ParsedLiteral[],
): { output: string; votes: number } | undefined {
  let next = 0;
  const samples = texts.map((t) => (t === undefined ? undefined : parsed[next++]));
  const keys = samples.map((p) =>
    p?.ok ? (config.voteKey === "str" ? p.str : p.repr) : undefined,
  );
  const vote = majorityVote(keys, config.votes, config.voteFrac);
  if (!vote.accepted || vote.index === undefined) return undefined;
  return { output: samples[vote.index]!.repr, votes: vote.count };
}

/**
 * The output a correct function returns, by self-consistency (spec 3.3): the response is cut
 * before its Output section and continued `votes` times; the response's own output is ignored.
 * @returns the winning literal (as Python repr) and its votes, or undefined when rejected.
 */
export async function selfConsistentOutput(
  context: UtGenContext,
  messages: readonly ChatMessage[],
  response: string,
): Promise<{ output: string; votes: number } | undefined> {
  const texts = await sampleOutputs(context, messages, response);
  if (!texts) return undefined;
  const present = texts.filter((t): t is string => t !== undefined);
  return voteOnOutputs(context.config, texts, await context.harness.literals(present));
}

/**
 * Up to `nUts` unit tests for `code` (spec 3.4): at most attemptsFactor * nUts samples, stopping
 * after `patience` attempts in a row that add nothing. Inputs must parse as call arguments and
 * be new (Python equality of the argument lists); outputs come from the SC vote.
 */
export async function buildUnitTests(
  task: DebugTask,
  code: string,
  context: UtGenContext,
): Promise<{ tests: GeneratedTest[]; attempts: AttemptOutcome[] }> {
  const { config } = context;
  const format = context.format ?? chatFormat;
  if (config.utSource === "example")
    return {
      tests: (task.exampleTests ?? []).slice(0, config.nUts).map((t) => ({ ...t, votes: 0 })),
      attempts: [],
    };
  const messages = format.unitTestPrompt(task, code, config.utSource);
  const tests: GeneratedTest[] = [];
  const keys = new Set<string>();
  const attempts: AttemptOutcome[] = [];
  let idle = 0;
  for (let attempt = 0; attempt < config.attemptsFactor * config.nUts; attempt++) {
    const outcome = await oneAttempt();
    attempts.push(outcome);
    idle = outcome === "kept" ? 0 : idle + 1;
    if (tests.length >= config.nUts || idle >= config.patience) break;
  }
  return { tests, attempts };

  async function oracleAttempt(input: string, response: string): Promise<AttemptOutcome> {
    if (task.goldCode === undefined)
      throw new ConfigError(`oracle outputs need the task's gold code; task ${task.id} has none`);
    const [parsed] = (await context.harness.parse([input], [])).inputs;
    if (!parsed?.ok) return "no-input";
    if (keys.has(parsed.key)) return "duplicate";
    const [gold] = await context.harness.reveal(task.goldCode, code, task.entryPoint, [input], {
      setCompare: task.setCompare ?? false,
    });
    if (!gold?.valid) return "rejected-by-vote";
    keys.add(parsed.key);
    tests.push({ input, output: gold.goldOutput, votes: 0, response });
    return "kept";
  }

  async function oneAttempt(): Promise<AttemptOutcome> {
    const result = await context.calls.generate(context.model, {
      ...format.request(messages),
      n: 1,
      temperature: config.utSampling.temperature,
      topP: config.utSampling.topP,
      maxTokens: config.utSampling.maxTokens,
    });
    const response = result.generations[0]?.text ?? "";
    const input = format.parseInput(response, task.entryPoint);
    if (input === undefined) return "no-input";
    if (config.oracleOutputs) return oracleAttempt(input, response);
    const texts = await sampleOutputs(context, messages, response);
    if (!texts) return "rejected-by-vote";
    // one sandbox run parses the input and every sampled output
    const present = texts.filter((t): t is string => t !== undefined);
    const parsed = await context.harness.parse([input], present);
    const parsedInput = parsed.inputs[0];
    if (!parsedInput?.ok) return "no-input";
    if (keys.has(parsedInput.key)) return "duplicate";
    const output = voteOnOutputs(config, texts, parsed.literals);
    if (!output) return "rejected-by-vote";
    keys.add(parsedInput.key);
    tests.push({ input, output: output.output, votes: output.votes, response });
    return "kept";
  }
}
