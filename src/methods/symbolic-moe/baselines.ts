import type { EvalItem } from "../../evals/eval-item.ts";
import type { EvalMethod } from "../../evals/eval-method.ts";
import { hashString, SeededRandom } from "../../math/seeded-random.ts";
import { majorityAnswer } from "../magicore/vote.ts";
import { buildBatchPlan, runBatchPlan } from "./batch-plan.ts";
import { moeRuntime, obtainProfile } from "./obtain-profile.ts";
import type { MoeProfileFile } from "./profile-store.ts";
import { expertPrompt } from "./prompt-format.ts";
import { maxTokensFor, readMoeSettings } from "./settings.ts";
import { expertsThenAggregate, parseMoeAnswer } from "./symbolic-moe.ts";

const answerTypes = ["choice", "math", "number", "text"] as const;

/** Chooses one item's experts from the profiles (k = the `k` setting), drawing from `rng`. */
export type Recruiter = (
  item: EvalItem,
  profile: MoeProfileFile,
  k: number,
  rng: SeededRandom,
) => string[];

/**
 * A baseline that recruits experts its own way, then runs them and the task aggregator exactly as
 * Symbolic-MoE does (batched, one load per distinct model; the same aggregator setting).
 */
export function recruitedMethod(name: string, description: string, recruit: Recruiter): EvalMethod {
  return {
    name,
    description,
    answerTypes,
    checkOptions: readMoeSettings,
    async runBatch(items, context) {
      const settings = readMoeSettings(context.options);
      const profile = await obtainProfile(context, settings);
      const rng = new SeededRandom(context.seed + 1);
      const recruitments = items.map((item) => recruit(item, profile, settings.k, rng));
      const aggregator = settings.aggregator ?? profile.aggregator;
      const { answers, finals, predictions } = await expertsThenAggregate(
        items,
        recruitments,
        aggregator,
        moeRuntime(context),
        settings,
      );
      return items.map((_, i) => ({
        prediction: predictions[i] ?? undefined,
        response: finals[i]!,
        details: {
          experts: recruitments[i]!,
          expertAnswers: answers[i]!,
          expertMajority: majorityAnswer(answers[i]!.filter((a) => a !== null)),
          aggregator,
        },
      }));
    },
  };
}

/** The pool model with the best validation accuracy (ties: the first in pool order). */
export function bestSingleModel(profile: MoeProfileFile): string {
  return profile.models.reduce((a, b) =>
    (profile.validationAccuracy[b] ?? 0) > (profile.validationAccuracy[a] ?? 0) ? b : a,
  );
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
    const best = bestSingleModel(profile);
    const recruitments = items.map(() => [best]);
    const responses = await runBatchPlan(
      buildBatchPlan(recruitments),
      recruitments,
      context.models,
      (model, slot) => {
        const item = items[slot.instance]!;
        return context.forItem(item.id, async () => {
          const r = await model.generate({
            ...expertPrompt(settings.format, item.question, item.answerType),
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

/** The best single model sampled k times, then the task aggregator (SC@k when it votes). */
export const bestSingleKMethod = recruitedMethod(
  "moe-best-single-k",
  "Symbolic-MoE baseline: the best single model sampled k times + the aggregator",
  (_, profile, k) => Array.from({ length: k }, () => bestSingleModel(profile)),
);

/** k experts drawn uniformly (with replacement), then the task aggregator. */
export const randomKMethod = recruitedMethod(
  "moe-random-k",
  "Symbolic-MoE baseline: k random experts + the aggregator",
  (_, profile, k, rng) =>
    Array.from({ length: k }, () => profile.models[rng.int(profile.models.length)]!),
);

/** Mixture-of-Agents style: every pool model answers once, the task aggregator synthesises. */
export const moaAllMethod = recruitedMethod(
  "moa-all",
  "Mixture-of-Agents style: every pool model answers, the aggregator synthesises",
  (_, profile) => [...profile.models],
);
