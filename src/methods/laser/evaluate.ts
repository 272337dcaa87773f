import { checkAnswer } from "../../evals/answers/check-answer.ts";
import { type AnswerType, extractAnswer } from "../../evals/answers/extract-answer.ts";
import { bootstrapMean, type Interval } from "../../evals/bootstrap.ts";
import type { LaserItem } from "./laser-items.ts";
import type { LaserPolicy } from "./policy.ts";

/** How a response's answer is read and compared with the item's gold answer. */
export interface AnswerReading {
  /** Comparison (default "text": normalised exact match). */
  answerType?: AnswerType;
  /** Reads the answer (default: after the last "Final answer:", else `extractAnswer`). */
  extract?: (item: LaserItem, response: string) => string | undefined;
}

/** One evaluated item. */
export interface ItemOutcome {
  id: string;
  family: string;
  /** The text the policy continued and the gold answer, so a run folder shows what was asked. */
  prompt?: string;
  gold?: string | null;
  response: string;
  predicted: string | null;
  correct: boolean;
}

/** Accuracy with a bootstrap CI, overall and per family. */
export interface AccuracyReport {
  accuracy: Interval;
  byFamily: Record<string, Interval & { n: number }>;
  n: number;
}

/** The text after the last "Final answer:" (the spec's prompt asks for it), to the line's end. */
export function finalAnswer(response: string): string | undefined {
  const m = [...response.matchAll(/final answer\s*[:：]\s*([^\n]*)/gi)].at(-1);
  const v = m?.[1]?.trim().replace(/\.$/, "");
  return v ? v : undefined;
}

/** Whether `response` answers `item` correctly under `reading`. */
export function judgeResponse(
  item: LaserItem,
  response: string,
  reading: AnswerReading = {},
): { predicted: string | null; correct: boolean } {
  const type = reading.answerType ?? "text";
  const predicted = reading.extract
    ? reading.extract(item, response)
    : (finalAnswer(response) ?? extractAnswer(response, type));
  const correct = item.answer !== undefined && checkAnswer(predicted, item.answer, type);
  return { predicted: predicted ?? null, correct };
}

/** Accuracy over outcomes with a seeded 95% bootstrap interval, overall and per family. */
export function accuracyOf(outcomes: readonly ItemOutcome[], seed = 0): AccuracyReport {
  const families = new Map<string, number[]>();
  for (const o of outcomes)
    families.set(o.family, [...(families.get(o.family) ?? []), o.correct ? 1 : 0]);
  return {
    accuracy: bootstrapMean(
      outcomes.map((o) => (o.correct ? 1 : 0)),
      { seed },
    ),
    byFamily: Object.fromEntries(
      [...families].map(([f, v]) => [f, { ...bootstrapMean(v, { seed }), n: v.length }]),
    ),
    n: outcomes.length,
  };
}

/** Greedy test accuracy of the policy (the paper's reasoning metric; gold answers used here only). */
export async function evaluateGreedy(
  policy: Pick<LaserPolicy, "sample">,
  items: readonly LaserItem[],
  options: AnswerReading & {
    maxTokens?: number;
    /** Strings that end a response (completion-format prompts). */
    stop?: readonly string[];
    onItem?: (o: ItemOutcome) => void;
  } = {},
): Promise<ItemOutcome[]> {
  const out: ItemOutcome[] = [];
  for (const item of items) {
    const [[response]] = (await policy.sample([item.prompt], {
      n: 1,
      temperature: 0,
      maxTokens: options.maxTokens ?? 512,
      ...(options.stop ? { stop: options.stop } : {}),
      seed: 0,
    })) as [[string]];
    const o = {
      id: item.id,
      family: item.family ?? "",
      prompt: item.prompt,
      gold: item.answer ?? null,
      response,
      ...judgeResponse(item, response, options),
    };
    out.push(o);
    options.onItem?.(o);
  }
  return out;
}
