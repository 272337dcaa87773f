import type { TokenLogprob } from "../model/language-model.ts";

/** Chat completions' `logprobs` object: `{ content: [{ token, logprob, bytes, top_logprobs }] }`. */
export function chatLogprobs(tokens: readonly TokenLogprob[]) {
  return {
    content: tokens.map((t) => ({
      token: t.token,
      logprob: t.logprob,
      bytes: [...Buffer.from(t.token, "utf8")],
      top_logprobs: t.top.map((alt) => ({
        token: alt.token,
        logprob: alt.logprob,
        bytes: [...Buffer.from(alt.token, "utf8")],
      })),
    })),
  };
}

/**
 * The legacy completions `logprobs` object: parallel arrays, `top_logprobs` as token → logprob
 * maps, and `text_offset` in code points from the start of the returned text.
 */
export function completionLogprobs(tokens: readonly TokenLogprob[], startOffset = 0) {
  const textOffset: number[] = [];
  let offset = startOffset;
  for (const t of tokens) {
    textOffset.push(offset);
    offset += [...t.token].length;
  }
  return {
    tokens: tokens.map((t) => t.token),
    token_logprobs: tokens.map((t) => t.logprob),
    top_logprobs: tokens.map((t) =>
      Object.fromEntries(t.top.map((alt) => [alt.token, alt.logprob])),
    ),
    text_offset: textOffset,
  };
}

/** OpenAI's finish reasons: chorus's "other" (aborted, engine-specific) reads as "stop". */
export function finishReason(reason: "stop" | "length" | "other"): "stop" | "length" {
  return reason === "length" ? "length" : "stop";
}
