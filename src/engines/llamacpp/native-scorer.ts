import type { TokenLogprob } from "../../model/language-model.ts";
import type { RankedLogprob } from "../../model/prompt-tokens.ts";
import { evaluateFresh, type NativeEngine } from "./ffi/native-engine.ts";
import { logprobsFromLogits } from "./token-logprobs.ts";

/**
 * Teacher-forced log-probs of `continuation` after `prompt` (token ids) from the raw logits of one
 * batched pass (natural log, full-vocabulary softmax, no sampler in between).
 */
export async function scoreTokens(
  engine: NativeEngine,
  prompt: readonly number[],
  continuation: readonly number[],
  topLogprobs: number,
): Promise<TokenLogprob[]> {
  if (continuation.length === 0) return [];
  const full = [...prompt, ...continuation];
  const first = prompt.length - 1;
  const out: TokenLogprob[] = new Array(continuation.length);
  const model = engine.model;
  await engine.use("plain", (context) =>
    evaluateFresh(context, full, {
      wantLogits: (i) => i >= first && i < full.length - 1,
      onLogits: (i, logits) => {
        const token = full[i + 1]!;
        const { logprob, top } = logprobsFromLogits(logits, token, topLogprobs);
        out[i - first] = {
          token: model.tokenText(token),
          logprob,
          top: top.map((t) => ({ token: model.tokenText(t.token), logprob: t.logprob })),
        };
      },
    }),
  );
  return out;
}

/**
 * Logprobs of every token of `ids` given the tokens before it, with ids and vocabulary ranks, from
 * one batched pass: vLLM's `prompt_logprobs` (position 0 has none).
 */
export async function rankPromptTokens(
  engine: NativeEngine,
  ids: readonly number[],
  topLogprobs: number,
): Promise<(RankedLogprob | null)[]> {
  const out: (RankedLogprob | null)[] = ids.map(() => null);
  if (ids.length < 2) return out;
  const model = engine.model;
  await engine.use("plain", (context) =>
    evaluateFresh(context, ids, {
      wantLogits: (i) => i < ids.length - 1,
      onLogits: (i, logits) => {
        const id = ids[i + 1]!;
        const { logprob, top } = logprobsFromLogits(logits, id, topLogprobs);
        const own = logits[id]!;
        let rank = 1;
        for (let t = 0; t < logits.length; t++) if (logits[t]! > own) rank++;
        out[i + 1] = {
          id,
          token: model.tokenText(id),
          logprob,
          rank,
          top: top.map((t) => ({
            id: t.token,
            token: model.tokenText(t.token),
            logprob: t.logprob,
          })),
        };
      },
    }),
  );
  return out;
}
