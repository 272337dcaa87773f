import type { AnswerType } from "../../evals/answers/extract-answer.ts";
import type { SeededRandom } from "../../math/seeded-random.ts";

/** One item of the aggregation benchmark: a validation question and three shuffled responses. */
export interface AggregationItem {
  question: string;
  gold: string;
  answerType: AnswerType;
  choiceCount?: number;
  responses: string[];
}

/** A model's answer on one validation question, from profiling. */
export interface ProfiledAnswer {
  response: string;
  prediction: string | null;
}

/**
 * Builds the aggregation benchmark (spec §3.4) from every model's profiling answers: per question
 * one random correct response (exact string match of the prediction with gold; "" if none) and two
 * random incorrect ones (two "" when fewer than two exist), shuffled.
 */
export function buildAggregationBenchmark(
  questions: readonly {
    question: string;
    gold: string;
    answerType: AnswerType;
    choiceCount?: number;
  }[],
  answers: Readonly<Record<string, readonly ProfiledAnswer[]>>,
  rng: SeededRandom,
): AggregationItem[] {
  const models = Object.keys(answers);
  return questions.map((q, i) => {
    const all = models.map((m) => answers[m]![i]!);
    const correct = all.filter((a) => a.prediction === q.gold).map((a) => a.response);
    const wrong = all.filter((a) => a.prediction !== q.gold).map((a) => a.response);
    const one = correct.length > 0 ? correct[rng.int(correct.length)]! : "";
    const two = wrong.length >= 2 ? rng.shuffle(wrong).slice(0, 2) : ["", ""];
    return { ...q, responses: rng.shuffle([one, ...two]) };
  });
}

/** Benchmark accuracy per candidate and the winner (ties → first in pool order). */
export function pickAggregator(accuracy: Readonly<Record<string, number>>): string {
  let best = "";
  let bestScore = Number.NEGATIVE_INFINITY;
  for (const [model, score] of Object.entries(accuracy))
    if (score > bestScore) {
      best = model;
      bestScore = score;
    }
  return best;
}
