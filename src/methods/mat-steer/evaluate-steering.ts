import type { ChoiceItem } from "../../evals/datasets/steering-mc-item.ts";
import type { Decoder, Intervention, LanguageModel, TokenLogprob } from "../../model/index.ts";
import { requireDecoder, requireInternals } from "../../model/index.ts";

function logSoftmaxAt(logits: Float32Array, token: number): number {
  let max = -Infinity;
  for (const x of logits) if (x > max) max = x;
  let sum = 0;
  for (const x of logits) sum += Math.exp(x - max);
  return logits[token]! - max - Math.log(sum);
}

/** log-softmax of `logits` (natural log). */
function logSoftmax(logits: Float32Array): Float64Array {
  let max = -Infinity;
  for (const x of logits) if (x > max) max = x;
  let sum = 0;
  for (const x of logits) sum += Math.exp(x - max);
  const shift = max + Math.log(sum);
  return Float64Array.from(logits, (x) => x - shift);
}

/** The `k` most likely tokens of a log-probability row, most likely first. */
function topTokens(logprobs: Float64Array, k: number): number[] {
  if (k <= 0) return [];
  const best: number[] = [];
  for (let i = 0; i < logprobs.length; i++) {
    if (best.length === k && logprobs[i]! <= logprobs[best[k - 1]!]!) continue;
    let at = best.length;
    while (at > 0 && logprobs[best[at - 1]!]! < logprobs[i]!) at--;
    best.splice(at, 0, i);
    if (best.length > k) best.pop();
  }
  return best;
}

/**
 * Teacher-forced log-probs of `continuation`'s tokens after a raw-text `prompt`, with the
 * interventions applied: one forward pass over prompt + continuation (`internals.
 * continuationLogits`; the engine's `score` has no steering hook). The continuation's tokens are
 * those of `prompt + continuation` after the common prefix, as the engine's `score` takes them;
 * its rows are hooked as generated tokens, as in steered generation.
 */
export async function continuationLogprobs(
  model: LanguageModel,
  decoder: Decoder,
  prompt: string,
  continuation: string,
  interventions: readonly Intervention[],
  topLogprobs = 0,
): Promise<{ tokens: TokenLogprob[]; inputTokens: number }> {
  const internals = requireInternals(model);
  const forward = await internals.continuationLogits(prompt, continuation, { interventions });
  const tokens = forward.tokens.map((token, k): TokenLogprob => {
    const logits = forward.logits[k]!;
    if (topLogprobs <= 0)
      return { token: decoder.tokenText(token), logprob: logSoftmaxAt(logits, token), top: [] };
    const row = logSoftmax(logits);
    return {
      token: decoder.tokenText(token),
      logprob: row[token]!,
      top: topTokens(row, topLogprobs).map((t) => ({
        token: decoder.tokenText(t),
        logprob: row[t]!,
      })),
    };
  });
  return { tokens, inputTokens: forward.inputTokens };
}

/** Σ log p(choice tokens | prompt) with the interventions applied (see `continuationLogprobs`). */
export async function choiceLogLikelihood(
  model: LanguageModel,
  decoder: Decoder,
  prompt: string,
  choice: string,
  interventions: readonly Intervention[],
): Promise<number> {
  const { tokens } = await continuationLogprobs(model, decoder, prompt, choice, interventions);
  let sum = 0;
  for (const t of tokens) sum += t.logprob;
  return sum;
}

/** Per item, the index of its highest-likelihood choice (MC1 / BBQ rule: right when it is a correct one). */
export async function choicePicks(
  model: LanguageModel,
  items: readonly ChoiceItem[],
  interventions: readonly Intervention[],
): Promise<number[]> {
  const decoder = requireDecoder(model);
  try {
    const picks: number[] = [];
    for (const item of items) {
      const scores: number[] = [];
      for (const choice of item.choices)
        scores.push(await choiceLogLikelihood(model, decoder, item.prompt, choice, interventions));
      picks.push(scores.indexOf(Math.max(...scores)));
    }
    return picks;
  } finally {
    await decoder.close();
  }
}

/** MC accuracy: the highest-likelihood choice is a correct one (MC1 / BBQ rule). */
export async function choiceAccuracy(
  model: LanguageModel,
  items: readonly ChoiceItem[],
  interventions: readonly Intervention[],
): Promise<number> {
  const picks = await choicePicks(model, items, interventions);
  const hits = picks.filter((pick, i) => items[i]!.correct.includes(pick)).length;
  return items.length > 0 ? hits / items.length : 0;
}

/** Mean KL(unsteered ‖ steered) of the next-token distribution after each neutral text. */
export async function neutralKl(
  model: LanguageModel,
  texts: readonly string[],
  interventions: readonly Intervention[],
): Promise<number> {
  const internals = requireInternals(model);
  let total = 0;
  for (const text of texts) {
    const p = await internals.logits(text);
    const q = await internals.logits(text, { interventions });
    const lp = Array.from(p, (_, i) => logSoftmaxAt(p, i));
    const lq = Array.from(q, (_, i) => logSoftmaxAt(q, i));
    let kl = 0;
    for (let i = 0; i < lp.length; i++) kl += Math.exp(lp[i]!) * (lp[i]! - lq[i]!);
    total += kl;
  }
  return texts.length > 0 ? total / texts.length : 0;
}

/**
 * Per prompt, its continuations (greedy or seeded samples of `maxTokens`) and how many contain a
 * word of `lexicon`.
 */
export async function attributeHits(
  model: LanguageModel,
  prompts: readonly string[],
  lexicon: RegExp,
  interventions: readonly Intervention[],
  options: { maxTokens: number; n: number; temperature: number; seed: number },
): Promise<Array<{ texts: string[]; hits: number }>> {
  const internals = requireInternals(model);
  const out: Array<{ texts: string[]; hits: number }> = [];
  for (const prompt of prompts) {
    const r = await internals.generate({ prompt, ...options, interventions });
    const texts = r.generations.map((g) => g.text);
    out.push({ texts, hits: texts.filter((t) => lexicon.test(t)).length });
  }
  return out;
}

/**
 * Share of continuations that contain a word of `lexicon` (a lexical stand-in for a toxicity
 * classifier, which chorus does not ship): greedy or seeded samples of `maxTokens` per prompt.
 */
export async function attributeRate(
  model: LanguageModel,
  prompts: readonly string[],
  lexicon: RegExp,
  interventions: readonly Intervention[],
  options: { maxTokens: number; n: number; temperature: number; seed: number },
): Promise<number> {
  const perPrompt = await attributeHits(model, prompts, lexicon, interventions, options);
  const total = perPrompt.reduce((n, p) => n + p.texts.length, 0);
  const hits = perPrompt.reduce((n, p) => n + p.hits, 0);
  return total > 0 ? hits / total : 0;
}
