import { rougeL } from "../../evals/metrics/rouge-l.ts";
import {
  encodePromptCompletion,
  generateGreedyEach,
  scoreSequence,
  type TrainTokenizer,
  type Transformer,
} from "../../train/index.ts";
import type { ForgetItem } from "./select-coreset.ts";
import {
  firstTokenMatch,
  harmonicMean,
  normalisedProbability,
  relativeProbability,
  truthRatio,
  truthRatioScore,
} from "./tofu-metrics.ts";

/**
 * How a set enters Prob. and Truth Ratio, following TOFU's split rules: "forget" (the forget
 * set and its paraphrased/jailbreak prompts: Prob. = P̃(answer), Truth Ratio min(R, 1/R)),
 * "retain" (Prob. = P̃(answer), Truth Ratio max(0, 1 − R)), "tofu" (Real Authors, World Facts:
 * Prob. normalised over the answer and the perturbed answers, Truth Ratio max(0, 1 − R)).
 */
export type EvalRole = "forget" | "retain" | "tofu";

/** One evaluation set's scores at one model state (means over its items). */
export interface SetMetrics {
  items: number;
  /** ROUGE-L recall of the greedy output against the answer. */
  rouge: number;
  /** First-token accuracy (UPCORE's gen_acc). */
  genAcc: number;
  /** TOFU Prob. (see EvalRole); absent when a "tofu" set has no perturbed answers. */
  prob?: number;
  /** TOFU Truth Ratio statistic over the items with perturbed answers; absent when none has. */
  truthRatio?: number;
}

/** What a set's Prob. and Truth Ratio were computed from, for the report. */
export interface SetDescription {
  items: number;
  role: EvalRole;
  prob: string;
  truthRatio: string;
}

/** Describes the choices `evaluateSet` makes for a set (visible in the report). */
export function describeSet(items: readonly ForgetItem[], role: EvalRole): SetDescription {
  const withPerturbed = items.filter((i) => i.perturbedAnswers?.length).length;
  const withParaphrase = items.filter((i) => i.paraphrasedAnswer !== undefined).length;
  const reference =
    role === "tofu"
      ? "the answer (TOFU's rule for Real Authors/World Facts)"
      : withParaphrase === items.length
        ? "paraphrased_answer"
        : withParaphrase === 0
          ? "the answer (the set has no paraphrased_answer)"
          : `paraphrased_answer where present (${withParaphrase} of ${items.length}), else the answer`;
  return {
    items: items.length,
    role,
    prob:
      role === "tofu"
        ? withPerturbed > 0
          ? `P̃(answer) / (P̃(answer) + Σ P̃(perturbed)) over ${withPerturbed} items`
          : "none (no perturbed_answer)"
        : "P̃(answer) = P(answer)^(1/|answer|)",
    truthRatio:
      withPerturbed === 0
        ? "none (no perturbed_answer)"
        : `${role === "forget" ? "min(R, 1/R)" : "max(0, 1 − R)"}, R = mean P̃(perturbed) / P̃(reference), reference = ${reference}, over ${withPerturbed} items`,
  };
}

/** BOS (when the model wants it) + question: evaluation prompts have BOS (spec pitfall 5). */
function promptTokens(tok: TrainTokenizer, question: string): number[] {
  return [...(tok.addBos && tok.bos !== undefined ? [tok.bos] : []), ...tok.tokenize(question)];
}

/** Mean token NLL of " answer" after BOS + question, under the model being unlearned. */
export async function answerNll(
  model: Transformer,
  tok: TrainTokenizer,
  question: string,
  answer: string,
): Promise<number> {
  const example = encodePromptCompletion(tok, question, ` ${answer}`, false);
  const scores = await scoreSequence(model, example);
  return -scores.sum / scores.target.length;
}

/**
 * Scores one set at the current weights: greedy generation (BOS + question, up to
 * `maxNewTokens`, stopping at EOS) gives ROUGE-L recall and, from its first token, gen_acc
 * (greedy decoding makes the first of n tokens the 1-token generation); teacher-forced token
 * log-probs of the answer, paraphrased answer and perturbed answers give Prob. and Truth Ratio.
 */
export async function evaluateSet(
  model: Transformer,
  tok: TrainTokenizer,
  items: readonly ForgetItem[],
  options: { role: EvalRole; maxNewTokens: number; likelihood?: boolean; evalBatch?: number },
): Promise<SetMetrics> {
  let rouge = 0;
  let genAcc = 0;
  let prob = 0;
  let probItems = 0;
  let tr = 0;
  let trItems = 0;
  const likelihood = options.likelihood ?? true;
  const outputs = await generateGreedyEach(
    model,
    items.map((item) => promptTokens(tok, item.question)),
    {
      maxTokens: options.maxNewTokens,
      ...(tok.eos !== undefined ? { stopTokens: [tok.eos] } : {}),
      batchSize: options.evalBatch ?? 1,
    },
  );
  for (const [k, item] of items.entries()) {
    const out = outputs[k]!;
    rouge += rougeL(item.answer, tok.detokenize(out)).recall;
    genAcc += firstTokenMatch(out.length > 0 ? tok.detokenize(out.slice(0, 1)) : "", item.answer);
    if (!likelihood) continue;
    const nll = await answerNll(model, tok, item.question, item.answer);
    const perturbed: number[] = [];
    for (const p of item.perturbedAnswers ?? [])
      perturbed.push(await answerNll(model, tok, item.question, p));
    if (options.role !== "tofu") {
      prob += normalisedProbability(nll);
      probItems++;
    } else if (perturbed.length > 0) {
      prob += relativeProbability(nll, perturbed);
      probItems++;
    }
    if (perturbed.length > 0) {
      const reference =
        options.role !== "tofu" &&
        item.paraphrasedAnswer !== undefined &&
        item.paraphrasedAnswer !== item.answer
          ? await answerNll(model, tok, item.question, item.paraphrasedAnswer)
          : nll;
      tr += truthRatioScore(
        truthRatio(reference, perturbed),
        options.role === "forget" ? "forget" : "retain",
      );
      trItems++;
    }
  }
  const n = Math.max(1, items.length);
  return {
    items: items.length,
    rouge: rouge / n,
    genAcc: genAcc / n,
    ...(probItems > 0 ? { prob: prob / probItems } : {}),
    ...(trItems > 0 ? { truthRatio: tr / trItems } : {}),
  };
}

/** The sets Model Utility is built from (spec §3.4: Retain, Real Authors, Real World). */
export const modelUtilitySets = ["retain", "real-authors", "world-facts"] as const;

/**
 * TOFU's Model Utility: the harmonic mean of ROUGE, Prob. and Truth Ratio of Retain, Real
 * Authors and World Facts — of those present in `metrics`; `components` names what went in.
 */
export function modelUtility(
  metrics: Readonly<Record<string, SetMetrics>>,
): { value: number; components: string[] } | undefined {
  const values: number[] = [];
  const components: string[] = [];
  for (const name of modelUtilitySets) {
    const m = metrics[name];
    if (!m) continue;
    for (const key of ["rouge", "prob", "truthRatio"] as const) {
      const v = m[key];
      if (v === undefined) continue;
      values.push(v);
      components.push(`${name}.${key}`);
    }
  }
  return values.length > 0 ? { value: harmonicMean(values), components } : undefined;
}
