import {
  choiceLogLikelihood,
  gates,
  type Steerer,
  type SteeringSite,
  steeringIntervention,
} from "../../methods/mat-steer/index.ts";
import type { Decoder, Intervention, LanguageModel } from "../../model/index.ts";
import { requireInternals } from "../../model/index.ts";
import { answerPhrase } from "./context-items.ts";

/**
 * One steering condition of the demo: its interventions and, for a gated steerer, the gate values
 * it saw at the last prompt row of the latest pass (the gates read the unsteered row there: the
 * site is the first edited one).
 */
export interface SteerCondition {
  interventions: Intervention[];
  lastGates?: () => number[];
}

export function gatedCondition(
  steerer: Steerer,
  site: SteeringSite,
  nLayers: number,
): SteerCondition {
  const inner = steeringIntervention(steerer, site, nLayers);
  let seen: number[] = [];
  return {
    interventions: [
      {
        ...inner,
        edit: (h, info) => {
          if (info.phase === "prompt" && info.position === info.promptLength - 1)
            seen = gates(steerer, h);
          inner.edit(h, info);
        },
      },
    ],
    lastGates: () => seen,
  };
}

/** Whether the desirable continuation of an MC item has the highest log-likelihood. */
export async function choiceCorrect(
  model: LanguageModel,
  decoder: Decoder,
  item: { prompt: string; choices: readonly string[]; correct: readonly number[] },
  interventions: readonly Intervention[],
): Promise<boolean> {
  const scores: number[] = [];
  for (const choice of item.choices)
    scores.push(await choiceLogLikelihood(model, decoder, item.prompt, choice, interventions));
  return item.correct.includes(scores.indexOf(Math.max(...scores)));
}

/** KL(p ‖ q) of two next-token distributions given as raw logits (natural log). */
export function logitKl(p: Float32Array, q: Float32Array): number {
  const lp = logSoftmax(p);
  const lq = logSoftmax(q);
  let kl = 0;
  for (let i = 0; i < lp.length; i++) kl += Math.exp(lp[i]!) * (lp[i]! - lq[i]!);
  return Math.max(0, kl);
}

function logSoftmax(logits: Float32Array): Float64Array {
  let max = -Infinity;
  for (const x of logits) if (x > max) max = x;
  let sum = 0;
  for (const x of logits) sum += Math.exp(x - max);
  const shift = max + Math.log(sum);
  return Float64Array.from(logits, (x) => x - shift);
}

/** Answers are Atlas values (two words at most): a few tokens reach the sentence end. */
const maxAnswerTokens = 6;

/** Greedy closed-book answer under the interventions, checked against the gold value. */
export async function qaCorrect(
  model: LanguageModel,
  item: { prompt: string; gold: string },
  interventions: readonly Intervention[],
): Promise<boolean> {
  const r = await requireInternals(model).generate({
    prompt: item.prompt,
    maxTokens: maxAnswerTokens,
    temperature: 0,
    interventions,
  });
  return answerPhrase(r.generations[0]?.text ?? "") === item.gold.toLowerCase();
}
