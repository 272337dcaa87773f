import { checkAnswer } from "../../evals/answers/check-answer.ts";
import type { EvalMethod } from "../../evals/eval-method.ts";
import { moeRuntime, obtainProfile } from "./obtain-profile.ts";
import { readMoeSettings } from "./settings.ts";
import { runSymbolicMoe } from "./symbolic-moe.ts";

/**
 * Symbolic-MoE in the eval harness: profiles from `--set profiles=<file>` or built from the
 * dataset's validation split, then keyword routing, batched experts (each recruited model loaded
 * once) and the task aggregator. The record keeps keywords, mapped keywords, the recruited
 * experts and how they were chosen, the experts' answers (and whether each was right) and their
 * majority.
 */
export const symbolicMoeMethod: EvalMethod = {
  name: "symbolic-moe",
  description: "Symbolic-MoE: skill-based expert recruitment, batched experts, aggregator",
  answerTypes: ["choice", "math", "number", "text"],
  checkOptions: readMoeSettings,
  async runBatch(items, context) {
    const settings = readMoeSettings(context.options);
    const profile = await obtainProfile(context, settings);
    const results = await runSymbolicMoe(items, profile, moeRuntime(context), settings);
    return results.map((r, i) => ({
      prediction: r.prediction ?? undefined,
      response: r.response,
      details: {
        keywords: r.keywords,
        mapped: r.mapped,
        experts: r.recruitment.experts,
        path: r.recruitment.path,
        expertAnswers: r.expertAnswers,
        // each recruit's answer checked as the final one is: the run-level expert × skill view
        expertCorrect: r.expertAnswers.map((a) =>
          checkAnswer(a ?? undefined, items[i]!.answer, items[i]!.answerType),
        ),
        expertMajority: r.expertMajority,
        // the paper's "initial accuracy" diagnostic: was the experts' plain majority right?
        expertMajorityCorrect: checkAnswer(
          r.expertMajority ?? undefined,
          items[i]!.answer,
          items[i]!.answerType,
        ),
        aggregator: r.aggregator,
      },
    }));
  },
};
