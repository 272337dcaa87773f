import type { EvalItem } from "../../evals/eval-item.ts";
import type { EvalContext, EvalMethod, MethodOutput } from "../../evals/eval-method.ts";
import { rougeL } from "../../evals/metrics/rouge-l.ts";
import { hashString } from "../../math/seeded-random.ts";
import { DataError, UsageError } from "../../model/errors.ts";
import type { LanguageModel } from "../../model/language-model.ts";
import {
  type FaithfulnessResult,
  FaithfulnessScorer,
} from "../../scoring/faithfulness/faithfulness-scorer.ts";
import { HttpNliJudge } from "../../scoring/faithfulness/http-nli-judge.ts";
import { LlmSupportJudge } from "../../scoring/faithfulness/llm-support-judge.ts";
import type { Framing } from "./collaborate.ts";
import { type MammRefineInput, type MammRefineResult, mammRefine } from "./mamm-refine.ts";
import { traceRecord } from "./trace-record.ts";

/** `--set` settings of the MAMM-Refine eval methods (all optional). */
export interface MammEvalSettings {
  maxRounds?: number;
  maxTokens?: number;
  temperature?: number;
  maxReasoningChars?: number;
  parseAttempts?: number;
  critiqueFraming: Framing;
  refineFraming: Framing;
  /**
   * CRITIQUE's writers and rerankers: "same" (the released recipe: model 1 twice) or "mixed"
   * (model 1 and model 2, the multi-model critique the paper's abstract credits; spec §3.5).
   */
  critiqueModels: "same" | "mixed";
  /** One agent per stage (no debate, no rerank): the DCR baseline's setup. */
  singleAgent: boolean;
  /** An NLI endpoint as the faithfulness judge instead of the `judge` model. */
  nliUrl?: string;
  nliFormat?: "tei" | "hf";
  nliLabel?: string;
}

/**
 * Settings from `--set key=value`, validated. Other keys are left alone: one `--set` list serves
 * every method of a run (e.g. AdaCAD with MAMM-Refine as a baseline on XSum).
 * @throws UsageError naming the bad value.
 */
export function readMammSettings(options: Readonly<Record<string, unknown>>): MammEvalSettings {
  const num = (key: string, integer: boolean, min: number): number | undefined => {
    const v = options[key];
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min)
      throw new UsageError(
        `--set ${key}: expected ${integer ? "an integer" : "a number"} ≥ ${min}, got "${String(v)}"`,
      );
    return n;
  };
  const pick = <T extends string>(key: string, allowed: readonly T[]): T | undefined => {
    const v = options[key];
    if (v === undefined) return undefined;
    if (!allowed.includes(String(v) as T))
      throw new UsageError(
        `--set ${key}: expected one of ${allowed.join(", ")}, got "${String(v)}"`,
      );
    return String(v) as T;
  };
  const framings = ["rerank", "generate"] as const;
  const framing = pick("framing", framings) ?? "rerank";
  const s: MammEvalSettings = {
    critiqueFraming: pick("critique-framing", framings) ?? framing,
    refineFraming: pick("refine-framing", framings) ?? framing,
    singleAgent: pick("single-agent", ["true", "false"]) === "true",
    critiqueModels: pick("critique-models", ["same", "mixed"] as const) ?? "same",
  };
  const numbers: [keyof MammEvalSettings, string, boolean, number][] = [
    ["maxRounds", "max-rounds", true, 1],
    ["maxTokens", "max-tokens", true, 1],
    ["temperature", "temperature", false, 0],
    ["maxReasoningChars", "max-reasoning-chars", true, 1],
    ["parseAttempts", "parse-attempts", true, 1],
  ];
  for (const [field, key, integer, min] of numbers) {
    const n = num(key, integer, min);
    if (n !== undefined) (s as unknown as Record<string, number>)[field] = n;
  }
  if (options["nli-url"] !== undefined) s.nliUrl = String(options["nli-url"]);
  const format = pick("nli-format", ["tei", "hf"] as const);
  if (format) s.nliFormat = format;
  if (options["nli-label"] !== undefined) s.nliLabel = String(options["nli-label"]);
  if ((s.nliFormat || s.nliLabel) && !s.nliUrl)
    throw new UsageError("--set nli-format / nli-label need --set nli-url=<endpoint>");
  return s;
}

function inputOf(item: EvalItem): MammRefineInput {
  const { document, summary, reference, sentences, topic } = item.meta;
  const text = typeof summary === "string" ? summary : reference;
  if (typeof document !== "string" || typeof text !== "string")
    throw new DataError(
      `item ${item.id}: MAMM-Refine needs meta.document and meta.summary (or meta.reference)`,
    );
  return {
    document,
    text,
    ...(Array.isArray(sentences) ? { sentences: sentences as string[] } : {}),
    ...(typeof topic === "string" ? { topic } : {}),
  };
}

/** Balanced accuracy of DETECT with "no" (unfaithful) as the positive class; undefined without gold. */
function detectBalancedAccuracy(
  predicted: readonly (string | null)[],
  gold: unknown,
): number | undefined {
  if (!Array.isArray(gold) || gold.length !== predicted.length) return undefined;
  let tp = 0;
  let fn = 0;
  let tn = 0;
  let fp = 0;
  gold.forEach((g, i) => {
    const p = predicted[i] ?? "yes";
    if (g === "no") p === "no" ? tp++ : fn++;
    else p === "no" ? fp++ : tn++;
  });
  const recall = (hit: number, miss: number) => (hit + miss === 0 ? undefined : hit / (hit + miss));
  const parts = [recall(tp, fn), recall(tn, fp)].filter((x): x is number => x !== undefined);
  return parts.length === 0 ? undefined : parts.reduce((a, b) => a + b, 0) / parts.length;
}

/**
 * Faithfulness of `text` to the item's document, computed once per eval run for equal texts
 * (the unrefined input is scored by every method of the run; reused, not re-judged).
 */
function faithfulness(
  context: EvalContext,
  s: MammEvalSettings,
  document: string,
  text: string,
): Promise<FaithfulnessResult> {
  const judgeName = s.nliUrl ? `nli:${s.nliUrl}` : `llm:${context.models.nameFor("judge")}`;
  const key = `mamm-faithfulness:${judgeName}:${hashString(document)}:${hashString(text)}`;
  return context.reuse(key, () => {
    if (s.nliUrl) {
      const judge = new HttpNliJudge({
        url: s.nliUrl,
        ...(s.nliFormat ? { format: s.nliFormat } : {}),
        ...(s.nliLabel ? { entailmentLabel: s.nliLabel } : {}),
      });
      return new FaithfulnessScorer(judge).score(document, text, {
        ...(context.signal ? { signal: context.signal } : {}),
      });
    }
    return context.models.use(context.models.nameFor("judge"), (model) =>
      new FaithfulnessScorer(new LlmSupportJudge(model)).score(document, text, {
        ...(context.signal ? { signal: context.signal } : {}),
      }),
    );
  });
}

/**
 * How the judge's verdicts were obtained, counted ("logprobs", "score", "text", "nli"): "text" means
 * the judge's reply had no Yes/No to read and a verdict may be the neutral 0.5 (tiny models).
 */
function judgeBasis(...results: FaithfulnessResult[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of results)
    for (const s of r.sentences) counts[s.basis] = (counts[s.basis] ?? 0) + 1;
  return counts;
}

/** Runs `fn` holding the first and the second given model (the same one when only one is given). */
function withAgents<T>(
  context: EvalContext,
  fn: (a: LanguageModel, b: LanguageModel) => Promise<T>,
): Promise<T> {
  const [first, second = first] = context.models.names;
  if (first === undefined) throw new UsageError("MAMM-Refine needs --model <m>");
  return context.models.use(first, (a) =>
    second === first ? fn(a, a) : context.models.use(second!, (b) => fn(a, b)),
  );
}

async function runRefinement(
  item: EvalItem,
  context: EvalContext,
  singleAgent: boolean,
): Promise<MethodOutput> {
  const s = readMammSettings(context.options);
  const input = inputOf(item);
  const single = singleAgent || s.singleAgent;
  const result: MammRefineResult = await withAgents(context, (a, b) =>
    mammRefine(input, {
      // the recipe: DETECT model 1 vs model 2, CRITIQUE model 1 × 2, REFINE model 2 × 2
      detect: { agents: single ? [a] : [a, b] },
      critique: {
        agents: single ? [a] : s.critiqueModels === "mixed" ? [a, b] : [a, a],
        framing: s.critiqueFraming,
      },
      refine: { agents: single ? [a] : [b, b], framing: s.refineFraming },
      seed: context.seed,
      ...(s.maxRounds !== undefined ? { maxRounds: s.maxRounds } : {}),
      ...(s.maxTokens !== undefined ? { maxTokens: s.maxTokens } : {}),
      ...(s.temperature !== undefined ? { temperature: s.temperature } : {}),
      ...(s.maxReasoningChars !== undefined ? { maxReasoningChars: s.maxReasoningChars } : {}),
      ...(s.parseAttempts !== undefined ? { parseAttempts: s.parseAttempts } : {}),
      ...(context.signal ? { signal: context.signal } : {}),
    }),
  );
  const before = await faithfulness(context, s, input.document, input.text);
  const after = result.changed
    ? await faithfulness(context, s, input.document, result.refinedText)
    : before;
  const accuracy = detectBalancedAccuracy(result.labels, item.meta["labels"]);
  const reference = item.meta["reference"];
  return {
    prediction: undefined,
    response: result.refinedText,
    score: after.score,
    details: {
      faithfulness: after.score,
      faithfulnessBefore: before.score,
      supportedFraction: after.supportedFraction,
      supportedFractionBefore: before.supportedFraction,
      judge: after.judge,
      judgeBasis: judgeBasis(...(result.changed ? [before, after] : [before])),
      changed: result.changed,
      // the harness keeps `details`, not `response`: the refined text goes here
      refinedText: result.refinedText,
      // ROUGE-L F1 of the output against the reference summary (for XSum the refined text IS the
      // reference, so this measures how small the edit was: 1 = unchanged)
      ...(typeof reference === "string"
        ? { rougeLToReference: rougeL(reference, result.refinedText).f1 }
        : {}),
      sentences: result.sentences,
      labels: result.labels,
      critiques: result.critiques,
      // the debates behind the labels, critiques and refinement (votes per round), for `chorus view`
      trace: traceRecord(result.trace),
      ...(accuracy !== undefined ? { detectBalancedAccuracy: accuracy } : {}),
      calls: result.usage,
    },
  };
}

/**
 * MAMM-Refine in the eval harness (XSum references, TofuEval summaries with sources, users' files
 * with document + summary). Agents follow the recipe over the given models: DETECT debates model 1
 * vs model 2, CRITIQUE samples model 1 twice, REFINE model 2 twice (one model: two samples of it).
 * The score is the faithfulness (mean P(supported) per sentence) of the refined text, judged by the
 * "judge" role's model or an NLI endpoint; the record keeps the score before refinement, ROUGE-L
 * against the reference summary, the labels, and DETECT's balanced accuracy when gold labels exist.
 * `--set max-rounds=N max-tokens=N temperature=T max-reasoning-chars=N parse-attempts=N
 * framing|critique-framing|refine-framing=rerank|generate critique-models=same|mixed
 * single-agent=true nli-url=URL
 * nli-format=tei|hf nli-label=L`.
 */
export const mammRefineMethod: EvalMethod = {
  name: "mamm-refine",
  description:
    "MAMM-Refine: multi-agent multi-model detect, critique, refine; scored by faithfulness",
  answerTypes: ["none"],
  checkOptions: readMammSettings,
  runItem: (item, context) => runRefinement(item, context, false),
};

/**
 * Baseline: single-agent Detect-Critique-Refine (DCR, Wadhwa et al. 2024, the pipeline MAMM-Refine
 * extends): model 1 alone in every stage, no debate and no rerank. Same score and record.
 */
export const dcrMethod: EvalMethod = {
  name: "dcr",
  description: "MAMM-Refine baseline: single-agent detect, critique, refine (DCR; no debate)",
  answerTypes: ["none"],
  checkOptions: readMammSettings,
  runItem: (item, context) => runRefinement(item, context, true),
};

/** Baseline: the input text unrefined, scored by the same faithfulness judge (no model calls). */
export const noRefineMethod: EvalMethod = {
  name: "no-refine",
  description: "MAMM-Refine baseline: the summary as given, scored by the same faithfulness judge",
  answerTypes: ["none"],
  checkOptions: readMammSettings,
  async runItem(item, context) {
    const s = readMammSettings(context.options);
    const input = inputOf(item);
    const result = await faithfulness(context, s, input.document, input.text);
    const reference = item.meta["reference"];
    return {
      prediction: undefined,
      response: input.text,
      score: result.score,
      details: {
        faithfulness: result.score,
        supportedFraction: result.supportedFraction,
        judge: result.judge,
        judgeBasis: judgeBasis(result),
        ...(typeof reference === "string"
          ? { rougeLToReference: rougeL(reference, input.text).f1 }
          : {}),
      },
    };
  },
};
