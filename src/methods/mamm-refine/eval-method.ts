import type { EvalItem } from "../../evals/eval-item.ts";
import type { EvalContext, EvalMethod, MethodOutput } from "../../evals/eval-method.ts";
import { DataError } from "../../model/errors.ts";
import type { LanguageModel } from "../../model/language-model.ts";
import { FaithfulnessScorer } from "../../scoring/faithfulness/faithfulness-scorer.ts";
import { LlmSupportJudge } from "../../scoring/faithfulness/llm-support-judge.ts";
import { type MammRefineInput, mammRefine } from "./mamm-refine.ts";

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
 * MAMM-Refine in the eval harness (XSum references, TofuEval summaries with sources, users' files
 * with document + summary). Agents follow the recipe over the given models: DETECT debates model 1
 * vs model 2, CRITIQUE samples model 1 twice, REFINE model 2 twice (one model: two samples of it).
 * The score is the faithfulness of the refined text judged by the "judge" model; the record keeps
 * the score before refinement, the labels, and DETECT's balanced accuracy when gold labels exist.
 * `--set max-rounds=N max-tokens=N temperature=T framing=rerank|generate`.
 */
export const mammRefineMethod: EvalMethod = {
  name: "mamm-refine",
  description:
    "MAMM-Refine: multi-agent multi-model detect, critique, refine; scored by faithfulness",
  answerTypes: ["none"],
  async runItem(item: EvalItem, context: EvalContext): Promise<MethodOutput> {
    const input = inputOf(item);
    const o = context.options;
    const num = (key: string) => (o[key] === undefined ? undefined : Number(o[key]));
    const framing = o["framing"] === "generate" ? "generate" : "rerank";
    const [first, second = first] = context.models.names;
    const names = [...new Set([first!, second!])];
    const borrow = <T>(
      i: number,
      held: LanguageModel[],
      fn: (m: LanguageModel[]) => Promise<T>,
    ): Promise<T> =>
      i === names.length
        ? fn(held)
        : context.models.use(names[i]!, (m) => borrow(i + 1, [...held, m], fn));
    const result = await borrow(0, [], (models) => {
      const a = models[0]!;
      const b = models[1] ?? a;
      const maxRounds = num("max-rounds");
      const maxTokens = num("max-tokens");
      const temperature = num("temperature");
      return mammRefine(input, {
        detect: { agents: [a, b] },
        critique: { agents: [a, a], framing },
        refine: { agents: [b, b], framing },
        seed: context.seed,
        ...(maxRounds !== undefined ? { maxRounds } : {}),
        ...(maxTokens !== undefined ? { maxTokens } : {}),
        ...(temperature !== undefined ? { temperature } : {}),
        ...(context.signal ? { signal: context.signal } : {}),
      });
    });
    const [before, after] = await context.models.use(
      context.models.nameFor("judge"),
      async (judge) => {
        const scorer = new FaithfulnessScorer(new LlmSupportJudge(judge));
        const original = await scorer.score(input.document, input.text);
        const refined = result.changed
          ? await scorer.score(input.document, result.refinedText)
          : original;
        return [original, refined];
      },
    );
    const accuracy = detectBalancedAccuracy(result.labels, item.meta["labels"]);
    return {
      prediction: undefined,
      response: result.refinedText,
      score: after.score,
      details: {
        faithfulnessBefore: before.score,
        changed: result.changed,
        labels: result.labels,
        critiques: result.critiques,
        ...(accuracy !== undefined ? { detectBalancedAccuracy: accuracy } : {}),
        calls: result.usage,
      },
    };
  },
};
