import type { EvalItem } from "../../evals/eval-item.ts";
import type { EvalContext } from "../../evals/eval-method.ts";
import { UsageError } from "../../model/errors.ts";
import { HttpRewardModel } from "../../scoring/http-reward-model.ts";
import { LlmJudge } from "../../scoring/llm-judge.ts";
import { MathShepherdPrm } from "../../scoring/math-shepherd-prm.ts";
import { OutcomeAsProcess } from "../../scoring/outcome-as-process.ts";
import type { OutcomeRewardModel, ProcessRewardModel } from "../../scoring/reward-model.ts";
import type { MagicoreAgents } from "./agents.ts";
import type { EmptyMajority, HardRule } from "./classify.ts";
import { llmAgents, type MinTokensMode, type RewardSource } from "./llm-agents.ts";
import {
  type AnswerParser,
  annotate,
  type MagicoreOptions,
  type MagicoreProblem,
} from "./magicore.ts";
import { parseAnswer } from "./parse-answer.ts";
import type { Solution } from "./solution.ts";

/** MAgICoRe and baseline settings read from `--set key=value` (CLI) or the caller's options. */
export interface MagicoreEvalSettings {
  k: number;
  iterations: number;
  maxTokens: number;
  temperature: number;
  topP: number;
  concurrency: number;
  hardRule: HardRule;
  nextPool: "refined" | "mergedTopK";
  emptyMajority: EmptyMajority;
  easyAnswer: "revote" | "keep";
  /** "judge" (LLM yes/no judge on the `orm` model) or an HTTP reward endpoint (`ormUrl`). */
  orm: string;
  /** "math-shepherd" (P(+) at step tags on the `prm` model) or "orm-prefix" (the ORM on prefixes). */
  prm: string;
  ormUrl?: string;
  ormModel?: string;
  mu?: number;
  sigma?: number;
  selfRefineRounds: number;
  /**
   * Samples per problem for the sampling baselines (self-consistency, best-of-k, rm-vote); default
   * k. The paper runs them with up to 120 while MAgICoRe uses 40: the first k are MAgICoRe's own
   * (shared), the rest are drawn on top with another seed.
   */
  baselineK?: number;
  /** Minimum new tokens of Reviewer/Refiner outputs (spec: 50; 0 = off). */
  minTokens: number;
  minTokensMode: MinTokensMode;
  minTokensTries: number;
}

const defaults: MagicoreEvalSettings = {
  k: 40,
  iterations: 3,
  maxTokens: 1000,
  temperature: 0.8,
  topP: 0.95,
  concurrency: 4,
  hardRule: "and",
  nextPool: "refined",
  emptyMajority: "recompute",
  easyAnswer: "revote",
  orm: "judge",
  prm: "math-shepherd",
  selfRefineRounds: 3,
  minTokens: 50,
  minTokensMode: "auto",
  minTokensTries: 3,
};

/** Settings from the context's options, validated. */
export function readSettings(options: Readonly<Record<string, unknown>>): MagicoreEvalSettings {
  const s: MagicoreEvalSettings = { ...defaults };
  const num = (key: keyof MagicoreEvalSettings, integer: boolean) => {
    const v = options[key];
    if (v === undefined) return;
    const n = Number(v);
    if (!Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < 0)
      throw new UsageError(
        `--set ${key}: expected a ${integer ? "non-negative integer" : "number"}, got "${String(v)}"`,
      );
    (s as unknown as Record<string, number>)[key] = n;
  };
  for (const key of [
    "k",
    "iterations",
    "maxTokens",
    "concurrency",
    "selfRefineRounds",
    "baselineK",
    "minTokens",
    "minTokensTries",
  ] as const)
    num(key, true);
  for (const key of ["temperature", "topP", "mu", "sigma"] as const) num(key, false);
  const pick = <K extends keyof MagicoreEvalSettings>(key: K, allowed: readonly string[]) => {
    const v = options[key];
    if (v === undefined) return;
    if (!allowed.includes(String(v)))
      throw new UsageError(
        `--set ${key}: expected one of ${allowed.join(", ")}, got "${String(v)}"`,
      );
    (s as unknown as Record<string, string>)[key] = String(v);
  };
  pick("hardRule", ["and", "or"]);
  pick("nextPool", ["refined", "mergedTopK"]);
  pick("emptyMajority", ["recompute", "lowQuality", "easy"]);
  pick("easyAnswer", ["revote", "keep"]);
  pick("orm", ["judge", "http"]);
  pick("prm", ["math-shepherd", "orm-prefix"]);
  pick("minTokensMode", ["auto", "native", "resample", "continue"]);
  if (options["ormUrl"] !== undefined) {
    s.ormUrl = String(options["ormUrl"]);
    if (options["orm"] === undefined) s.orm = "http";
  }
  if (options["ormModel"] !== undefined) s.ormModel = String(options["ormModel"]);
  if (s.orm === "http" && !s.ormUrl)
    throw new UsageError("--set orm=http needs --set ormUrl=<base URL>");
  if (s.k < 1) throw new UsageError("--set k: must be at least 1");
  if (s.baselineK !== undefined && s.baselineK < 1)
    throw new UsageError("--set baselineK: must be at least 1");
  return s;
}

/**
 * Library-only options (objects, not `--set` strings) for callers whose roles are not chat models:
 * `agents` builds their own MagicoreAgents for the run (`perProblem`: charge each call to its
 * problem with `context.forItem`), `parseAnswer` reads answers in their solutions' format. Both
 * default to the chat roles (`llmAgents`) and the `\boxed{}` parser. The `cot` and `self-refine`
 * baselines are chat-only and ignore them.
 */
export interface MagicoreRoleOptions {
  agents?: (
    context: EvalContext,
    settings: MagicoreEvalSettings,
    perProblem: boolean,
  ) => MagicoreAgents;
  parseAnswer?: AnswerParser;
}

/** The run's role options, checked (a wrong type is a programming error, named here). */
export function roleOptions(options: Readonly<Record<string, unknown>>): MagicoreRoleOptions {
  const { agents, parseAnswer: parse } = options as MagicoreRoleOptions;
  if (agents !== undefined && typeof agents !== "function")
    throw new UsageError(
      "magicore option agents: expected a function (context, settings) => MagicoreAgents",
    );
  if (parse !== undefined && typeof parse !== "function")
    throw new UsageError("magicore option parseAnswer: expected a function (text, type) => answer");
  return { ...(agents ? { agents } : {}), ...(parse ? { parseAnswer: parse } : {}) };
}

/** The answer parser of the run: the caller's (`parseAnswer` option) or the `\boxed{}` one. */
export function answerParser(context: EvalContext): AnswerParser {
  return roleOptions(context.options).parseAnswer ?? parseAnswer;
}

/** Core options for `runMagicore` from the settings. */
export function magicoreOptions(s: MagicoreEvalSettings): MagicoreOptions {
  return {
    k: s.k,
    iterations: s.iterations,
    hardRule: s.hardRule,
    nextPool: s.nextPool,
    emptyMajority: s.emptyMajority,
    easyAnswer: s.easyAnswer,
    ...(s.mu !== undefined && s.sigma !== undefined ? { stats: { mu: s.mu, sigma: s.sigma } } : {}),
  };
}

function rewardSources(context: EvalContext, s: MagicoreEvalSettings) {
  const ormName = context.models.nameFor("orm");
  const orm: RewardSource<OutcomeRewardModel> =
    s.orm === "http"
      ? {
          ready: new HttpRewardModel({
            baseURL: s.ormUrl!,
            model: s.ormModel ?? "reward",
            ...(context.callCache ? { cache: context.callCache } : {}),
          }),
        }
      : { model: ormName, create: (m) => new LlmJudge(m, { concurrency: s.concurrency }) };
  let prm: RewardSource<ProcessRewardModel>;
  if (s.prm === "math-shepherd")
    prm = {
      model: context.models.nameFor("prm"),
      create: (m) => new MathShepherdPrm(m, { concurrency: s.concurrency }),
    };
  else if ("ready" in orm) prm = { ready: new OutcomeAsProcess(orm.ready) };
  else prm = { model: orm.model, create: (m) => new OutcomeAsProcess(orm.create(m)) };
  return { orm, prm };
}

/**
 * LLM-backed agents for the eval context; `perProblem` charges calls to items; `onShort` hears of
 * Reviewer/Refiner outputs still under `minTokens` after the retries.
 */
export function contextAgents(
  context: EvalContext,
  s: MagicoreEvalSettings,
  perProblem: boolean,
  onShort?: (role: "reviewer" | "refiner", problemId: string, tokens: number) => void,
): MagicoreAgents {
  const custom = roleOptions(context.options).agents;
  if (custom) return custom(context, s, perProblem);
  return llmAgents({
    models: context.models,
    solver: context.models.nameFor("solver"),
    reviewer: context.models.nameFor("reviewer"),
    refiner: context.models.nameFor("refiner"),
    ...rewardSources(context, s),
    answerType: context.dataset.answerType,
    temperature: s.temperature,
    topP: s.topP,
    maxTokens: s.maxTokens,
    seed: context.seed,
    concurrency: s.concurrency,
    minTokens: s.minTokens,
    minTokensMode: s.minTokensMode,
    minTokensTries: s.minTokensTries,
    ...(onShort ? { onShort } : {}),
    ...(perProblem ? { forItem: context.forItem } : {}),
  });
}

/** The core's view of an eval item. */
export function toProblem(item: EvalItem): MagicoreProblem {
  return {
    id: item.id,
    question: item.question,
    answerType: item.answerType,
    ...(item.choices ? { choiceCount: item.choices.length } : {}),
  };
}

/**
 * The k initial solver samples of an item, shared by MAgICoRe and the sampling baselines of the
 * same run (same solver, k, sampling and seed → same samples).
 */
export function initialSamples(
  context: EvalContext,
  s: MagicoreEvalSettings,
  item: EvalItem,
): Promise<string[]> {
  const solver = context.models.nameFor("solver");
  const key = `magicore-samples:${solver}:${s.k}:${s.temperature}:${s.topP}:${s.maxTokens}:${context.seed}:${item.id}`;
  return context.reuse(key, async () => {
    const agents = contextAgents(context, s, false);
    const [texts] = await agents.solve([
      { problemId: item.id, value: { question: item.question, k: s.k } },
    ]);
    return texts!;
  });
}

/** The initial samples scored with the ORM and PRM (shared like the samples). */
export function initialPool(
  context: EvalContext,
  s: MagicoreEvalSettings,
  item: EvalItem,
): Promise<Solution[]> {
  const { orm, prm } = rewardSources(context, s);
  const rmKey = `${"ready" in orm ? orm.ready.name : `${s.orm}:${orm.model}`}|${"ready" in prm ? prm.ready.name : `${s.prm}:${prm.model}`}`;
  const key = `magicore-pool:${context.models.nameFor("solver")}:${s.k}:${s.temperature}:${s.topP}:${s.maxTokens}:${context.seed}:${rmKey}:${item.id}`;
  return context.reuse(key, async () => {
    const texts = await initialSamples(context, s, item);
    const agents = contextAgents(context, s, false);
    const [pool] = await annotate(
      [{ problem: toProblem(item), texts }],
      agents,
      answerParser(context),
    );
    return pool!;
  });
}

/** Samples the sampling baselines use: `baselineK` of them (default k), MAgICoRe's k first. */
export function baselineSampleCount(s: MagicoreEvalSettings): number {
  return s.baselineK ?? s.k;
}

/** The solver samples beyond MAgICoRe's k (for `baselineK` > k), drawn with their own seed. */
function extraSamples(
  context: EvalContext,
  s: MagicoreEvalSettings,
  item: EvalItem,
  count: number,
): Promise<string[]> {
  const solver = context.models.nameFor("solver");
  const key = `magicore-extra-samples:${solver}:${s.k}+${count}:${s.temperature}:${s.topP}:${s.maxTokens}:${context.seed}:${item.id}`;
  return context.reuse(key, async () => {
    const agents = contextAgents(context, s, false);
    // another problem id → another seed than the first k (`solve:<id>`)
    const [texts] = await agents.solve([
      { problemId: `${item.id}#beyond-${s.k}`, value: { question: item.question, k: count } },
    ]);
    return texts!;
  });
}

/** `baselineSampleCount(s)` solver samples: MAgICoRe's k (shared), cut or extended. */
export async function baselineSamples(
  context: EvalContext,
  s: MagicoreEvalSettings,
  item: EvalItem,
): Promise<string[]> {
  const n = baselineSampleCount(s);
  const first = await initialSamples(context, s, item);
  if (n <= s.k) return first.slice(0, n);
  return [...first, ...(await extraSamples(context, s, item, n - s.k))];
}

/** The baseline samples scored with the ORM and PRM (MAgICoRe's k scored pool shared). */
export async function baselinePool(
  context: EvalContext,
  s: MagicoreEvalSettings,
  item: EvalItem,
): Promise<Solution[]> {
  const n = baselineSampleCount(s);
  const first = await initialPool(context, s, item);
  if (n <= s.k) return first.slice(0, n);
  const { orm, prm } = rewardSources(context, s);
  const rmKey = `${"ready" in orm ? orm.ready.name : `${s.orm}:${orm.model}`}|${"ready" in prm ? prm.ready.name : `${s.prm}:${prm.model}`}`;
  const key = `magicore-extra-pool:${context.models.nameFor("solver")}:${s.k}+${n - s.k}:${s.temperature}:${s.topP}:${s.maxTokens}:${context.seed}:${rmKey}:${item.id}`;
  const extra = await context.reuse(key, async () => {
    const texts = await extraSamples(context, s, item, n - s.k);
    const agents = contextAgents(context, s, false);
    const [pool] = await annotate(
      [{ problem: toProblem(item), texts }],
      agents,
      answerParser(context),
    );
    return pool!;
  });
  return [...first, ...extra];
}
