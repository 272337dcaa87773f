import { contextDecode } from "../../methods/adacad/context-decode.ts";
import type { ContextDecoding } from "../../methods/adacad/context-decoding.ts";
import type { LanguageModel } from "../../model/language-model.ts";
import { answerPhrase, type ContextItem } from "./context-items.ts";

/** The decodings the AdaCAD demo compares: the paper's greedy and CAD (α = 1) baselines. */
export const demoDecodings = {
  greedy: { kind: "greedy" },
  cad: { kind: "cad", alpha: 1 },
  adacad: { kind: "adacad", alphaFloor: 0 },
} as const satisfies Record<string, ContextDecoding>;
export type DemoDecoding = keyof typeof demoDecodings;
export const demoDecodingNames = Object.keys(demoDecodings) as DemoDecoding[];

/** What one decoding produced on one item. */
export interface DecodingOutcome {
  answer: string;
  correct: boolean;
  /** Mean α over the generated steps (0 for greedy). */
  alpha: number;
}

/** One item's outcomes under every decoding: a line of the demo's results.jsonl. */
export interface ItemOutcome {
  id: string;
  set: ContextItem["set"];
  exposures: number;
  gold: string;
  memory?: string;
  outcomes: Record<DemoDecoding, DecodingOutcome>;
}

/** Answers are short (two-word values at most): a few tokens reach the sentence end. */
const maxAnswerTokens = 6;

/** Decodes `item` with greedy, CAD and AdaCAD and checks each answer against the gold value. */
export async function runContextItem(
  model: LanguageModel,
  item: ContextItem,
  signal?: AbortSignal,
): Promise<ItemOutcome> {
  const outcomes = {} as Record<DemoDecoding, DecodingOutcome>;
  for (const name of demoDecodingNames) {
    const result = await contextDecode(
      model,
      {
        contextPrompt: item.contextPrompt,
        plainPrompt: item.plainPrompt,
        maxTokens: maxAnswerTokens,
        ...(signal ? { signal } : {}),
      },
      demoDecodings[name],
      { approximate: "never" },
    );
    const answer = answerPhrase(result.text);
    const alphas = result.steps.map((s) => s.alpha);
    outcomes[name] = {
      answer,
      correct: answer === item.gold.toLowerCase(),
      alpha: alphas.length > 0 ? alphas.reduce((a, b) => a + b, 0) / alphas.length : 0,
    };
  }
  return {
    id: item.id,
    set: item.set,
    exposures: item.exposures,
    gold: item.gold,
    ...(item.memory !== undefined ? { memory: item.memory } : {}),
    outcomes,
  };
}
