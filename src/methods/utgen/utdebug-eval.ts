import type { EvalItem } from "../../evals/eval-item.ts";
import type { EvalContext, EvalMethod, MethodOutput } from "../../evals/eval-method.ts";
import { ConfigError } from "../../model/errors.ts";
import type { LanguageModel } from "../../model/language-model.ts";
import type { DebugTask } from "./debug-task.ts";
import { debugTaskFromItem } from "./debug-task-from-item.ts";
import { runHiddenTests } from "./hidden-tests.ts";
import { selfDebug } from "./self-debug.ts";
import { sandboxHarness } from "./ut-harness.ts";
import { utDebug } from "./utdebug.ts";
import { resolveUtDebugConfig, type UtDebugConfig, type UtSource } from "./utdebug-config.ts";

/**
 * `--set` keys: rounds, nUts, votes, voteFrac, backtrack, voteKey, scMode, validateFirst,
 * attempts (attemptsFactor), patience, oracle (gold outputs: upper bound), maxTokens (debugger and UT samples), scMaxTokens,
 * temperature (debugger and UT samples). Models: role "utgen" for UT generation, "debugger" for
 * edits (both default to the first --model).
 */
function readConfig(
  options: Readonly<Record<string, unknown>>,
  seed: number,
): Partial<UtDebugConfig> {
  const known = new Set([
    "rounds",
    "nUts",
    "votes",
    "voteFrac",
    "backtrack",
    "voteKey",
    "scMode",
    "validateFirst",
    "attempts",
    "patience",
    "maxTokens",
    "scMaxTokens",
    "temperature",
  ]);
  for (const key of Object.keys(options))
    if (!known.has(key))
      throw new ConfigError(
        `unknown utdebug setting "${key}"; settings: ${[...known].join(", ")}`,
        key,
      );
  const num = (key: string) => {
    const v = options[key];
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n))
      throw new ConfigError(`utdebug setting ${key} must be a number, got "${String(v)}"`, key);
    return n;
  };
  const bool = (key: string) => {
    const v = options[key];
    if (v === undefined) return undefined;
    if (v === true || v === "true") return true;
    if (v === false || v === "false") return false;
    throw new ConfigError(`utdebug setting ${key} must be true or false, got "${String(v)}"`, key);
  };
  const config: Partial<UtDebugConfig> = { seed };
  const set = <K extends keyof UtDebugConfig>(k: K, v: UtDebugConfig[K] | undefined) => {
    if (v !== undefined) config[k] = v;
  };
  set("rounds", num("rounds"));
  set("nUts", num("nUts"));
  set("votes", num("votes"));
  set("voteFrac", num("voteFrac"));
  set("backtrack", bool("backtrack"));
  set("attemptsFactor", num("attempts"));
  set("patience", num("patience"));
  set("oracleOutputs", bool("oracle"));
  const validateFirst = bool("validateFirst");
  if (validateFirst !== undefined) config.regenerateBeforeValidation = !validateFirst;
  if (options["voteKey"] !== undefined) config.voteKey = String(options["voteKey"]) as "str";
  if (options["scMode"] !== undefined) config.scMode = String(options["scMode"]) as "prefill";
  const base = resolveUtDebugConfig();
  const maxTokens = num("maxTokens");
  const temperature = num("temperature");
  const scMaxTokens = num("scMaxTokens");
  const sampling = (s: UtDebugConfig["utSampling"], tokens: number | undefined) => ({
    ...s,
    ...(tokens !== undefined ? { maxTokens: tokens } : {}),
    ...(temperature !== undefined ? { temperature } : {}),
  });
  config.utSampling = sampling(base.utSampling, maxTokens);
  config.debugSampling = sampling(base.debugSampling, maxTokens);
  config.scSampling = {
    ...base.scSampling,
    ...(scMaxTokens !== undefined ? { maxTokens: scMaxTokens } : {}),
  };
  return config;
}

/** A seed per item from the run seed and the item id, so items do not share sample streams. */
function itemSeed(runSeed: number, id: string): number {
  let hash = 2166136261;
  for (const ch of `${runSeed}:${id}`) hash = Math.imul(hash ^ ch.charCodeAt(0), 16777619) >>> 0;
  return hash % 1_000_000_007;
}

/** Borrows the UT generator and the debugger (one borrow when they are the same model). */
async function withModels<T>(
  context: EvalContext,
  fn: (utgen: LanguageModel, debuggerModel: LanguageModel) => Promise<T>,
): Promise<T> {
  const utgenName = context.models.nameFor("utgen");
  const debuggerName = context.models.nameFor("debugger");
  if (utgenName === debuggerName) return context.models.use(utgenName, (m) => fn(m, m));
  return context.models.use(utgenName, (u) => context.models.use(debuggerName, (d) => fn(u, d)));
}

/** pass@1 on the hidden tests of each round's code (runs each distinct code once). */
async function hiddenByRound(task: DebugTask, codes: readonly string[]): Promise<boolean[]> {
  const seen = new Map<string, Promise<boolean>>();
  return Promise.all(
    codes.map((code) => {
      let outcome = seen.get(code);
      if (!outcome) {
        outcome = runHiddenTests(task, code).then((o) => o.pass);
        seen.set(code, outcome);
      }
      return outcome;
    }),
  );
}

function output(
  finalPass: boolean,
  finalCode: string,
  details: Record<string, unknown>,
): MethodOutput {
  return {
    prediction: finalPass ? "pass" : "fail",
    response: finalCode,
    score: finalPass ? 1 : 0,
    details,
  };
}

function utDebugMethod(name: string, description: string, utSource: UtSource): EvalMethod {
  return {
    name,
    description,
    answerTypes: ["none"],
    async runItem(item: EvalItem, context: EvalContext): Promise<MethodOutput> {
      const task = debugTaskFromItem(item);
      const config = { ...readConfig(context.options, itemSeed(context.seed, item.id)), utSource };
      const result = await withModels(context, (utgen, debuggerModel) =>
        utDebug(task, { utgen, debugger: debuggerModel }, config, {
          harness: sandboxHarness(task.language),
          ...(context.signal ? { signal: context.signal } : {}),
        }),
      );
      // pass@1 per round, round 0 included; a task that stopped keeps its code for later rounds
      const rounds = resolveUtDebugConfig(config).rounds;
      const codes = Array.from(
        { length: rounds + 1 },
        (_, r) => (result.rounds[Math.min(r, result.rounds.length - 1)] ?? result.rounds[0]!).code,
      );
      const passByRound = await hiddenByRound(task, codes);
      const finalPass = passByRound.at(-1) ?? false;
      return output(finalPass, result.finalCode, {
        utSource,
        passByRound,
        stoppedAtRound: result.rounds.find((r) => r.stopped)?.round ?? null,
        rounds: result.rounds.map((r) => ({
          round: r.round,
          accepted: r.accepted,
          validation: r.validation ?? null,
          regenerated: r.regenerated,
          attempts: r.attempts,
          ...(r.candidate !== undefined ? { candidate: r.candidate } : {}),
          // the given buggy code, once: what the first candidate is diffed against in `chorus view`
          ...(r.round === 0 ? { code: r.code } : {}),
          tests: r.tests.map((t) => ({ input: t.input, output: t.output, votes: t.votes })),
          verdicts: r.verdicts.map((v) => v.verdict),
          stopped: r.stopped,
        })),
      });
    },
  };
}

/** UTDebug with UTs from the adversarial prompt and SC outputs (UTGen when the model is trained). */
export const utdebugMethod = utDebugMethod(
  "utdebug",
  "UTDebug: debug with generated failing unit tests (SC outputs, back-tracking)",
  "adversarial",
);
/** Baseline: the same loop with randomly sampled (not failure-seeking) UTs. */
export const utdebugRandomMethod = utDebugMethod(
  "utdebug-random",
  "UTDebug baseline: randomly sampled unit tests (SC outputs)",
  "random",
);
/** Baseline: the same loop with the example tests from the prompt. */
export const utdebugExampleMethod = utDebugMethod(
  "utdebug-example",
  "UTDebug baseline: the prompt's example tests",
  "example",
);

/** Baseline: no unit tests; the model judges and fixes its own code (self-debugging). */
export const selfDebugMethod: EvalMethod = {
  name: "self-debug",
  description: "no-UT baseline: the model reviews and fixes its code without running it",
  answerTypes: ["none"],
  async runItem(item, context) {
    const task = debugTaskFromItem(item);
    const config = resolveUtDebugConfig(
      readConfig(context.options, itemSeed(context.seed, item.id)),
    );
    const result = await context.models.use(context.models.nameFor("debugger"), (model) =>
      selfDebug(task, model, {
        rounds: config.rounds,
        sampling: config.debugSampling,
        seed: config.seed,
        ...(context.signal ? { signal: context.signal } : {}),
      }),
    );
    const codes = [
      task.buggyCode,
      ...Array.from(
        { length: config.rounds },
        (_, r) => result.rounds[Math.min(r, result.rounds.length - 1)]?.code ?? task.buggyCode,
      ),
    ];
    const passByRound = await hiddenByRound(task, codes);
    const finalPass = passByRound.at(-1) ?? false;
    return output(finalPass, result.finalCode, { passByRound, rounds: result.rounds });
  },
};
