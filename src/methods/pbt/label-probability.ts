import type { ChatMessage, LanguageModel } from "../../model/language-model.ts";
import { twoWayProbability } from "../../scoring/two-token-probability.ts";

/**
 * P(good) / (P(good) + P(bad)) of the model's next token after `messages`. When the engine gives
 * no alternatives (or neither label is among them) it falls back to constrained generation: a
 * JSON enum of the two labels where the engine has `jsonSchema`, else greedy text; the fallback
 * gives 1, 0, or 0.5 for anything else.
 */
export async function labelProbability(
  model: LanguageModel,
  messages: ChatMessage[],
  good: string,
  bad: string,
): Promise<number> {
  if (model.capabilities.logprobs !== "none") {
    const r = await model.generate({ messages, maxTokens: 1, temperature: 0, logprobs: 20 });
    const top = r.generations[0]?.logprobs?.[0]?.top ?? [];
    const p = twoWayProbability(top, [good], [bad]);
    if (p !== undefined) return p;
  }
  const constrained = model.capabilities.jsonSchema;
  const r = await model.generate({
    messages,
    temperature: 0,
    maxTokens: 8,
    ...(constrained ? { jsonSchema: { enum: [good, bad] } } : {}),
  });
  const text = (r.generations[0]?.text ?? "").replace(/"/g, "").trim().toLowerCase();
  // "disagree" starts with neither "agree" nor "no", so the longer label is tested first.
  const [first, second] = good.length >= bad.length ? [good, bad] : [bad, good];
  if (text.startsWith(first)) return first === good ? 1 : 0;
  if (text.startsWith(second)) return second === good ? 1 : 0;
  return 0.5;
}
