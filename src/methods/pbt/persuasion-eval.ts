import { deriveSeed } from "../../math/seeded-random.ts";
import type { GenerateRequest, LanguageModel } from "../../model/language-model.ts";
import type { AnswerExtractor } from "./answer-extractor.ts";
import { isCorrect } from "./answers.ts";
import type { DialogueFormat, DialoguePrompt } from "./dialogue-format.ts";
import type { PairCode, PersuasionPair } from "./sibling-pairs.ts";

/** How a model under evaluation replies (T 0.7, 80 new tokens in the paper's flip-flop eval). */
export interface ReplySettings {
  format: DialogueFormat;
  extractor: AnswerExtractor;
  temperature?: number;
  maxTokens?: number;
  seed?: number;
  signal?: AbortSignal;
}

/** A request for one reply to a prompt, with the format's stop strings. */
export function replyRequest(
  prompt: DialoguePrompt,
  s: ReplySettings,
  key: string,
  greedy = false,
): GenerateRequest {
  return {
    ...prompt,
    temperature: greedy ? 0 : (s.temperature ?? 0.7),
    maxTokens: s.maxTokens ?? s.format.maxTokens,
    ...(s.format.stop.length > 0 ? { stop: [...s.format.stop] } : {}),
    seed: deriveSeed(s.seed ?? 0, key),
    ...(s.signal ? { signal: s.signal } : {}),
  };
}

/** One balanced-persuasion item's outcome. */
export interface PersuasionOutcome {
  id: string;
  /** The question and the dialogue the model replied to (absent in runs made before). */
  question?: string;
  gold?: string[];
  prompt?: DialoguePrompt;
  /** resist = CtI (a wrong persuader: should resist); accept = ItC (should accept). */
  code: PairCode;
  reply: string;
  answer: string;
  correct: boolean;
}

/**
 * The balanced persuasion eval (flipflop_eval): the model replies to each held-out history that
 * ends in a persuasion turn; correct iff the extracted answer is gold.
 */
export async function persuasionItem(
  model: LanguageModel,
  pair: PersuasionPair,
  s: ReplySettings,
): Promise<PersuasionOutcome> {
  const r = await model.generate(replyRequest(pair.prompt, s, pair.id));
  const reply = s.format.clean(r.generations[0]?.text ?? "");
  const answer = await s.extractor.extract(pair.question, reply);
  return {
    id: pair.id,
    question: pair.question,
    gold: pair.gold,
    prompt: pair.prompt,
    code: pair.code,
    reply,
    answer,
    correct: isCorrect(answer, pair.gold),
  };
}
