import type { EvalItem } from "../../evals/eval-item.ts";
import type { EvalContext, EvalMethod } from "../../evals/eval-method.ts";
import { hashString } from "../../math/seeded-random.ts";
import type { ChatMessage } from "../../model/language-model.ts";
import { answerParser, baselinePool, baselineSamples, readSettings } from "./eval-setup.ts";
import { parseAnswer } from "./parse-answer.ts";
import { solverMessages, solverPrefill } from "./prompts.ts";
import { majorityAnswer, topK, weightedVote } from "./vote.ts";

const answerTypes = ["math", "number", "choice"] as const;
const choices = (item: EvalItem) => item.choices?.length ?? 10;

/** One solver call (greedy unless `temperature` is given); returns the full text. */
async function solveOnce(
  context: EvalContext,
  item: EvalItem,
  messages: ChatMessage[],
  maxTokens: number,
) {
  return context.models.use(context.models.nameFor("solver"), async (model) => {
    const result = await model.generate({
      messages,
      prefill: solverPrefill,
      temperature: 0,
      maxTokens,
      seed: (context.seed + hashString(`cot:${item.id}`)) >>> 0,
    });
    return `${solverPrefill}${result.generations[0]?.text ?? ""}`;
  });
}

/** Single chain of thought: one greedy solver sample with MAgICoRe's solver prompt. */
export const cotMethod: EvalMethod = {
  name: "cot",
  description: "single chain-of-thought sample (greedy)",
  answerTypes,
  checkOptions: readSettings,
  async runItem(item, context) {
    const s = readSettings(context.options);
    const text = await solveOnce(
      context,
      item,
      solverMessages(item.question, item.answerType),
      s.maxTokens,
    );
    return {
      prediction: parseAnswer(text, item.answerType, choices(item)) ?? undefined,
      response: text,
    };
  },
};

/**
 * Self-consistency: plain majority over the samples' parsed answers (unparseable ones left out);
 * k samples, or `baselineK` (the first k shared with MAgICoRe).
 */
export const selfConsistencyMethod: EvalMethod = {
  name: "self-consistency",
  description: "majority vote over k sampled solutions",
  answerTypes,
  checkOptions: readSettings,
  async runItem(item, context) {
    const s = readSettings(context.options);
    const texts = await baselineSamples(context, s, item);
    const parse = answerParser(context);
    const answers = texts
      .map((t) => parse(t, item.answerType, choices(item)))
      .filter((a) => a !== null);
    return { prediction: majorityAnswer(answers) ?? undefined, details: { answers } };
  },
};

/** Best-of-k: the sample with the highest R = ORM + Π PRM (k or `baselineK` samples). */
export const bestOfKMethod: EvalMethod = {
  name: "best-of-k",
  description: "the k-sample solution with the highest reward (ORM + PRM product)",
  answerTypes,
  checkOptions: readSettings,
  async runItem(item, context) {
    const s = readSettings(context.options);
    const pool = await baselinePool(context, s, item);
    const best = topK(pool, 1)[0];
    return { prediction: best?.answer ?? undefined, details: { reward: best?.reward } };
  },
};

/**
 * RM-weighted self-consistency: argmax Σ (ORM + Π PRM) per answer (MAgICoRe's easy-problem rule),
 * over k or `baselineK` samples.
 */
export const rmVoteMethod: EvalMethod = {
  name: "rm-vote",
  description: "reward-weighted vote over k samples (weights ORM + PRM product)",
  answerTypes,
  checkOptions: readSettings,
  async runItem(item, context) {
    const s = readSettings(context.options);
    const pool = await baselinePool(context, s, item);
    return { prediction: weightedVote(pool) ?? undefined };
  },
};

const feedbackInstruction =
  "Review the solution above step by step. Point out every error and how to fix it. If every step " +
  'is correct, reply with exactly "No errors."';

/**
 * Self-Refine (Madaan et al.): the model solves greedily, critiques its own solution, and rewrites
 * it from the critique, for up to `selfRefineRounds` rounds (default 3) or until the critique
 * reports no errors.
 */
export const selfRefineMethod: EvalMethod = {
  name: "self-refine",
  description: "Self-Refine: one solution, self-feedback and refinement rounds",
  answerTypes,
  checkOptions: readSettings,
  async runItem(item, context) {
    const s = readSettings(context.options);
    const solverName = context.models.nameFor("solver");
    const base = solverMessages(item.question, item.answerType);
    let solution = await solveOnce(context, item, base, s.maxTokens);
    const rounds: { feedback: string; answer: string | null }[] = [];
    for (let round = 0; round < s.selfRefineRounds; round++) {
      const feedback = await context.models.use(solverName, async (model) => {
        const r = await model.generate({
          messages: [
            ...base,
            { role: "assistant", content: solution },
            { role: "user", content: feedbackInstruction },
          ],
          temperature: 0,
          maxTokens: s.maxTokens,
        });
        return r.generations[0]?.text ?? "";
      });
      if (/^\s*no errors\.?\s*$/i.test(feedback)) {
        rounds.push({ feedback, answer: parseAnswer(solution, item.answerType, choices(item)) });
        break;
      }
      solution = await context.models.use(solverName, async (model) => {
        const r = await model.generate({
          messages: [
            ...base,
            { role: "assistant", content: solution },
            { role: "user", content: feedbackInstruction },
            { role: "assistant", content: feedback },
            {
              role: "user",
              content:
                "Rewrite the solution, fixing the errors above, in the same step format with the final answer in \\boxed{}.",
            },
          ],
          prefill: solverPrefill,
          temperature: 0,
          maxTokens: s.maxTokens,
        });
        return `${solverPrefill}${r.generations[0]?.text ?? ""}`;
      });
      rounds.push({ feedback, answer: parseAnswer(solution, item.answerType, choices(item)) });
    }
    return {
      prediction: parseAnswer(solution, item.answerType, choices(item)) ?? undefined,
      response: solution,
      details: { rounds },
    };
  },
};
