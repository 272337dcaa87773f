import type { EvalItem } from "../../evals/eval-item.ts";
import type { EvalContext, EvalMethod } from "../../evals/eval-method.ts";
import { hashString, SeededRandom } from "../../math/seeded-random.ts";
import { majorityAnswer } from "../magicore/vote.ts";
import { buildBatchPlan, runBatchPlan } from "./batch-plan.ts";
import { moeRuntime, obtainProfile } from "./obtain-profile.ts";
import { expertMessages } from "./prompts.ts";
import { maxTokensFor, readMoeSettings } from "./settings.ts";
import { expertsThenAggregate, parseMoeAnswer } from "./symbolic-moe.ts";

const answerTypes = ["choice", "math", "number"] as const;

async function withAggregator(
  items: readonly EvalItem[],
  context: EvalContext,
  recruit: (models: readonly string[], rng: SeededRandom) => string[],
) {
  const settings = readMoeSettings(context.options);
  const profile = await obtainProfile(context, settings);
  const rng = new SeededRandom(context.seed + 1);
  const recruitments = items.map(() => recruit(profile.models, rng));
  const { answers, finals } = await expertsThenAggregate(
    items,
    recruitments,
    profile.aggregator,
    moeRuntime(context),
    settings,
  );
  return items.map((item, i) => ({
    prediction: parseMoeAnswer(finals[i]!, item.answerType, item.choices?.length) ?? undefined,
    response: finals[i]!,
    details: {
      experts: recruitments[i]!,
      expertAnswers: answers[i]!,
      expertMajority: majorityAnswer(answers[i]!.filter((a) => a !== null)),
      aggregator: profile.aggregator,
    },
  }));
}

/** The pool model with the best validation accuracy answers alone (one load, no aggregator). */
export const bestSingleMethod: EvalMethod = {
  name: "moe-best-single",
  description: "Symbolic-MoE baseline: the best single model on the validation profiles",
  answerTypes,
  checkOptions: readMoeSettings,
  async runBatch(items, context) {
    const settings = readMoeSettings(context.options);
    const profile = await obtainProfile(context, settings);
    const best = profile.models.reduce((a, b) =>
      (profile.validationAccuracy[b] ?? 0) > (profile.validationAccuracy[a] ?? 0) ? b : a,
    );
    const recruitments = items.map(() => [best]);
    const responses = await runBatchPlan(
      buildBatchPlan(recruitments),
      recruitments,
      context.models,
      (model, slot) => {
        const item = items[slot.instance]!;
        return context.forItem(item.id, async () => {
          const r = await model.generate({
            messages: expertMessages(item.question, item.answerType),
            temperature: settings.temperature,
            maxTokens: maxTokensFor(settings, model.id),
            seed: (context.seed + hashString(`single:${item.id}`)) >>> 0,
          });
          return r.generations[0]?.text ?? "";
        });
      },
      settings.concurrency,
    );
    return items.map((item, i) => ({
      prediction:
        parseMoeAnswer(responses[i]![0]!, item.answerType, item.choices?.length) ?? undefined,
      response: responses[i]![0]!,
      details: { model: best },
    }));
  },
};

/** k experts drawn uniformly (with replacement), then the task aggregator. */
export const randomKMethod: EvalMethod = {
  name: "moe-random-k",
  description: "Symbolic-MoE baseline: k random experts + the aggregator",
  answerTypes,
  checkOptions: readMoeSettings,
  runBatch(items, context) {
    const k = readMoeSettings(context.options).k;
    return withAggregator(items, context, (models, rng) =>
      Array.from({ length: k }, () => models[rng.int(models.length)]!),
    );
  },
};

/** Mixture-of-Agents style: every pool model answers once, the task aggregator synthesises. */
export const moaAllMethod: EvalMethod = {
  name: "moa-all",
  description: "Mixture-of-Agents style: every pool model answers, the aggregator synthesises",
  answerTypes,
  checkOptions: readMoeSettings,
  runBatch(items, context) {
    return withAggregator(items, context, (models) => [...models]);
  },
};
