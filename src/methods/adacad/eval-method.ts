import type { EvalItem } from "../../evals/eval-item.ts";
import type { EvalContext, EvalMethod, MethodOutput } from "../../evals/eval-method.ts";
import { chargeCurrent } from "../../evals/usage-meter.ts";
import { ConfigError } from "../../model/errors.ts";
import { FaithfulnessScorer } from "../../scoring/faithfulness/faithfulness-scorer.ts";
import { LlmSupportJudge } from "../../scoring/faithfulness/llm-support-judge.ts";
import { containsAnswer, exactMatch, firstLine } from "./answer-match.ts";
import { contextDecode } from "./context-decode.ts";
import type { ContextDecoding } from "./context-decoding.ts";
import { type ContextPromptPair, qaPrompts, summaryPrompts } from "./context-prompts.ts";
import { PromptTooLongError } from "./prompt-too-long-error.ts";

/** Settings from `--set`: decoding=adacad|cad|greedy, alpha, alpha-floor, max-tokens, max-prompt-tokens. */
function settings(options: Readonly<Record<string, unknown>>, summarizing: boolean) {
  const num = (key: string, fallback: number) => {
    const raw = options[key];
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value))
      throw new ConfigError(`--set ${key} must be a number, got "${raw}"`, key);
    return value;
  };
  const kind = String(options["decoding"] ?? "adacad");
  let decoding: ContextDecoding;
  // Summaries use the reference's floor 0.3 / CAD α 0.5 / 100 tokens; QA 0 / 1 / 32.
  if (kind === "adacad") decoding = { kind, alphaFloor: num("alpha-floor", summarizing ? 0.3 : 0) };
  else if (kind === "cad") decoding = { kind, alpha: num("alpha", summarizing ? 0.5 : 1) };
  else if (kind === "greedy") decoding = { kind };
  else
    throw new ConfigError(
      `--set decoding must be adacad, cad or greedy, got "${kind}"`,
      "decoding",
    );
  const maxPromptTokens =
    options["max-prompt-tokens"] === undefined ? undefined : num("max-prompt-tokens", 0);
  return {
    decoding,
    maxTokens: num("max-tokens", summarizing ? 100 : 32),
    ...(maxPromptTokens === undefined ? {} : { maxPromptTokens }),
  };
}

function promptsFor(item: EvalItem): ContextPromptPair | undefined {
  const { contextPrompt, plainPrompt, context, document } = item.meta;
  if (typeof contextPrompt === "string" && typeof plainPrompt === "string")
    return { contextPrompt, plainPrompt };
  if (typeof document === "string") return summaryPrompts(document);
  if (typeof context === "string") return qaPrompts(context, item.question);
  return undefined;
}

/**
 * AdaCAD in the eval harness. QA sets (NQ-Swap, NQ-Synth, NQ-open): the score is
 * contains-answer over all gold spellings, EM is in details. Summaries (XSum): the score is the
 * sentence-level faithfulness of the summary to the article, judged by the "judge" model (default:
 * the same model). Items without a context (NQ-open) are decoded from the plain prompt alone.
 * Over-long prompts (`--set max-prompt-tokens=N`) are skipped as the reference does and marked.
 * `--set decoding=cad alpha=1` and `--set decoding=greedy` give the baselines.
 */
export const adacadMethod: EvalMethod = {
  name: "adacad",
  description:
    "AdaCAD: context-aware decoding with a per-token JSD weight (CAD and greedy via --set decoding=)",
  answerTypes: ["text", "none"],
  async runItem(item: EvalItem, context: EvalContext): Promise<MethodOutput> {
    const summarizing = context.dataset.answerType === "none";
    const s = settings(context.options, summarizing);
    const pair = promptsFor(item);
    const request = pair ?? qaPrompts("", item.question);
    const noContext = pair === undefined;
    const decoding: ContextDecoding = noContext ? { kind: "greedy" } : s.decoding;
    const contextPrompt = noContext ? request.plainPrompt : request.contextPrompt;
    let result: Awaited<ReturnType<typeof contextDecode>>;
    try {
      result = await context.models.use(context.models.nameFor("generator"), (model) =>
        contextDecode(
          model,
          {
            contextPrompt,
            plainPrompt: request.plainPrompt,
            maxTokens: s.maxTokens,
            ...(s.maxPromptTokens === undefined ? {} : { maxPromptTokens: s.maxPromptTokens }),
            ...(context.signal ? { signal: context.signal } : {}),
          },
          decoding,
        ),
      );
    } catch (error) {
      if (error instanceof PromptTooLongError)
        return {
          prediction: undefined,
          details: { skipped: "prompt-too-long", promptTokens: error.promptTokens },
        };
      throw error;
    }
    if (!result.approximate) {
      // Decoder streams bypass the harness's metered generate/score: book them here, one call per
      // stream (the approximate path went through generate and is metered already).
      const streams = decoding.kind === "greedy" ? 1 : 2;
      chargeCurrent(
        {
          inputTokens:
            result.promptTokens.context + (streams === 2 ? result.promptTokens.plain : 0),
          outputTokens: streams * result.steps.length,
          calls: streams,
          reusedCalls: 0,
        },
        false,
      );
    }
    // steps where the combined choice differs from the context stream's own top token (ids on
    // the exact path; texts on the top-k path, which has no ids)
    const intervenedAt = result.steps.flatMap((step, i) =>
      (
        step.contextArgmax >= 0
          ? step.token !== step.contextArgmax
          : step.text !== step.contextArgmaxText
      )
        ? [i]
        : [],
    );
    const details = {
      decoding: decoding.kind,
      noContext,
      approximate: result.approximate,
      alphas: result.steps.map((step) => Number(step.alpha.toFixed(4))),
      // each step's token text, so a reader sees which words the context weighed on
      pieces: result.steps.map((step) => step.text),
      intervened: intervenedAt.length,
      intervenedAt,
      tokens: result.steps.length,
      finishReason: result.finishReason,
    };
    if (summarizing) {
      const summary = firstLine(result.text);
      const document = String(item.meta["document"] ?? "");
      const faithfulness = await context.models.use(context.models.nameFor("judge"), (judge) =>
        new FaithfulnessScorer(new LlmSupportJudge(judge)).score(document, summary),
      );
      return {
        prediction: undefined,
        response: result.text,
        score: faithfulness.score,
        details: {
          ...details,
          faithfulness: faithfulness.sentences,
          supportedFraction: faithfulness.supportedFraction,
        },
      };
    }
    const answers = Array.isArray(item.meta["answers"])
      ? (item.meta["answers"] as string[])
      : [item.answer];
    return {
      prediction: firstLine(result.text),
      response: result.text,
      score: containsAnswer(result.text, answers) ? 1 : 0,
      details: { ...details, exactMatch: exactMatch(result.text, answers) },
    };
  },
};
