import type { TokenLogprob, TopLogprob } from "../../model/language-model.ts";

/**
 * One position as a server reported it. `logprob` is null where the server has none (the first
 * echoed prompt token); `offset` is the character offset when the server gives `text_offset`.
 */
export interface PositionLogprob {
  token: string;
  logprob: number | null;
  top: TopLogprob[];
  offset?: number;
}

/** Why a logprobs payload could not be read; the caller adds the URL and the body excerpt. */
export class LogprobsShapeError extends Error {
  override name = "LogprobsShapeError";
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Reads every logprobs shape we know into positions:
 * - OpenAI/vLLM/Ollama/llama.cpp chat: `{content: [{token, logprob, top_logprobs: [{token, logprob}]}]}`
 *   (llama.cpp's /v1/completions uses this shape too; Ollama's native API gives the bare array);
 * - legacy completions: `{tokens[], token_logprobs[], top_logprobs: [{tok: lp} | null], text_offset[]}`;
 * - llama.cpp native `completion_probabilities`: `{token, logprob, top_logprobs}`, the post-sampling
 *   `{token, prob, top_probs}`, and the old `{content, probs: [{tok_str, prob}]}` (probabilities
 *   are converted to natural log).
 * Top alternatives come back sorted, most likely first, cut to `maxTop` when given.
 */
export function readLogprobs(raw: unknown, maxTop?: number): PositionLogprob[] {
  let positions: PositionLogprob[];
  if (Array.isArray(raw)) positions = raw.map((entry, i) => readEntry(entry, i));
  else if (isObject(raw) && Array.isArray(raw.content)) {
    positions = raw.content.map((entry, i) => readEntry(entry, i));
  } else if (isObject(raw) && Array.isArray(raw.tokens)) positions = readLegacy(raw);
  else if (isObject(raw) && raw.content === null) positions = [];
  else {
    throw new LogprobsShapeError(
      "expected logprobs as {content: [...]}, {tokens, token_logprobs, top_logprobs} or an array",
    );
  }
  if (maxTop !== undefined) for (const p of positions) p.top = p.top.slice(0, maxTop);
  return positions;
}

/** Positions with a logprob, in the normalized form methods use. */
export function toTokenLogprobs(positions: readonly PositionLogprob[]): TokenLogprob[] {
  return positions.map((p) => ({ token: p.token, logprob: p.logprob ?? 0, top: p.top }));
}

function readEntry(entry: unknown, index: number): PositionLogprob {
  if (!isObject(entry)) throw new LogprobsShapeError(`logprobs entry ${index} is not an object`);
  const token = firstString(entry, ["token", "content", "tok_str"]);
  if (token === undefined) {
    throw new LogprobsShapeError(`logprobs entry ${index} has no "token" string`);
  }
  const logprob = logprobOf(entry);
  const alternatives = entry.top_logprobs ?? entry.top_probs ?? entry.probs ?? [];
  if (!Array.isArray(alternatives)) {
    throw new LogprobsShapeError(`logprobs entry ${index} has non-array top alternatives`);
  }
  const top: TopLogprob[] = [];
  for (const alt of alternatives) {
    if (!isObject(alt)) continue;
    const altToken = firstString(alt, ["token", "tok_str", "content"]);
    const altLogprob = logprobOf(alt);
    if (altToken !== undefined && altLogprob !== null) {
      top.push({ token: altToken, logprob: altLogprob });
    }
  }
  sortTop(top);
  // The old llama.cpp shape has no logprob for the chosen token itself: take it from the list.
  const chosen = logprob ?? top.find((t) => t.token === token)?.logprob ?? null;
  return { token, logprob: chosen, top };
}

function readLegacy(raw: Json): PositionLogprob[] {
  const tokens = raw.tokens as unknown[];
  const logprobs = Array.isArray(raw.token_logprobs) ? raw.token_logprobs : [];
  const tops = Array.isArray(raw.top_logprobs) ? raw.top_logprobs : [];
  const offsets = Array.isArray(raw.text_offset) ? raw.text_offset : undefined;
  return tokens.map((token, i) => {
    if (typeof token !== "string") {
      throw new LogprobsShapeError(`logprobs.tokens[${i}] is not a string`);
    }
    const lp = logprobs[i];
    const top: TopLogprob[] = [];
    const alternatives = tops[i];
    if (isObject(alternatives)) {
      for (const [altToken, altLogprob] of Object.entries(alternatives)) {
        if (typeof altLogprob === "number") top.push({ token: altToken, logprob: altLogprob });
      }
    }
    sortTop(top);
    const position: PositionLogprob = {
      token,
      logprob: typeof lp === "number" ? lp : null,
      top,
    };
    const offset = offsets?.[i];
    if (typeof offset === "number") position.offset = offset;
    return position;
  });
}

function logprobOf(entry: Json): number | null {
  if (typeof entry.logprob === "number") return entry.logprob;
  if (typeof entry.prob === "number") return Math.log(entry.prob);
  return null;
}

function firstString(entry: Json, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value = entry[key];
    if (typeof value === "string") return value;
  }
  return undefined;
}

function sortTop(top: TopLogprob[]): void {
  top.sort((a, b) => b.logprob - a.logprob);
}
