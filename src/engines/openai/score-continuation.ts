import { CapabilityError, ModelCallError, UsageError } from "../../model/errors.ts";
import type {
  ChatMessage,
  ScoreRequest,
  TokenLogprob,
  TopLogprob,
  Usage,
} from "../../model/language-model.ts";
import type { EndpointClient, EndpointResponse } from "./endpoint-client.ts";
import { LogprobsShapeError, type PositionLogprob, readLogprobs } from "./logprobs-mapping.ts";
import { type BodyContext, checkTopLogprobs } from "./request-body.ts";
import { shapeError, usageOf } from "./response-parsing.ts";

/** A score before the model adds meta. */
export interface ScoredContinuation {
  tokens: TokenLogprob[];
  total: number;
  usage: Usage;
  retries: number;
}

/** Servers that can score, for capability errors. */
const serversThatScore = [
  "llamacpp (in-process)",
  "openai flavour vllm (echo, prompt_logprobs)",
  "OpenAI legacy completions models (davinci-002, echo)",
];

type Json = Record<string, unknown>;

/**
 * Teacher-forced logprobs of `continuation` after `prompt`, from a server that echoes prompt
 * logprobs. Raw prompts: `/completions` with `echo: true` and `logprobs`; the continuation's
 * tokens are the ones whose text overlaps it (a token straddling the boundary counts), found
 * through the server's `/tokenize` (vLLM, llama.cpp) or else by `text_offset` (in code points, as
 * Python servers count). Chat messages (vLLM only): `prompt_logprobs` with the continuation as a
 * continued assistant turn.
 */
export async function scoreContinuation(
  client: EndpointClient,
  context: BodyContext,
  request: ScoreRequest,
): Promise<ScoredContinuation> {
  const k = request.topLogprobs ?? 0;
  checkTopLogprobs(context, k);
  if (typeof request.continuation !== "string") {
    throw new UsageError("score needs a continuation string");
  }
  if (Array.isArray(request.prompt)) {
    if (!context.traits.chatScore) {
      throw new CapabilityError(context.modelId, "score on chat messages", [
        "llamacpp (in-process)",
        "openai flavour vllm (prompt_logprobs)",
        "or pass the prompt as raw text",
      ]);
    }
    if (request.continuation === "") return nothingToScore();
    return scoreChat(client, context, request.prompt, request.continuation, k, request.signal);
  }
  if (context.traits.score === "unsupported") {
    throw new CapabilityError(context.modelId, `score (${context.flavor} has no prompt logprobs)`, [
      ...serversThatScore,
    ]);
  }
  if (request.continuation === "") return nothingToScore();
  return scoreByEcho(client, context, request.prompt, request.continuation, k, request.signal);
}

function nothingToScore(): ScoredContinuation {
  return { tokens: [], total: 0, usage: { inputTokens: 0, outputTokens: 0 }, retries: 0 };
}

async function scoreByEcho(
  client: EndpointClient,
  context: BodyContext,
  prompt: string,
  continuation: string,
  k: number,
  signal: AbortSignal | undefined,
): Promise<ScoredContinuation> {
  const full = prompt + continuation;
  const maxTokens = context.flavor === "openai" ? 0 : 1;
  const url = client.url("/completions");
  // Servers with /tokenize get it asked alongside: token ids beat text_offset, whose meaning
  // drifts with how a server spells tokens (raw "Ġ"/"▁" pieces, special tokens).
  const tokenizing = hasTokenize(context)
    ? tokenizeIds(client, context, [prompt, full], signal)
    : undefined;
  const [response, tokenized] = await Promise.all([
    refusalAsCapability(context, () =>
      client.request({
        method: "POST",
        path: "/completions",
        body: {
          model: context.model,
          prompt: full,
          echo: true,
          logprobs: Math.max(k, 1),
          max_tokens: maxTokens,
          temperature: 0,
        },
        expected: "a completion with echoed prompt logprobs",
        signal,
      }),
    ),
    tokenizing,
  ]);
  const body = response.body as Json | null;
  const choice = Array.isArray(body?.choices) ? (body.choices[0] as Json | undefined) : undefined;
  if (!choice || typeof choice !== "object") {
    throw shapeError(response, url, "no choices[0] (expected a completion with echo logprobs)");
  }
  let positions: PositionLogprob[];
  try {
    positions = readLogprobs(choice.logprobs);
  } catch (error) {
    if (error instanceof LogprobsShapeError) {
      throw shapeError(response, url, `choices[0].logprobs: ${error.message}`);
    }
    throw error;
  }
  const usage = usageOf(body?.usage);
  // Echoed positions are the prompt's tokens, then the generated ones.
  const promptPositions = usage?.inputTokens ?? positions.length - maxTokens;
  if (promptPositions > positions.length || promptPositions < 1) {
    throw shapeError(
      response,
      url,
      `${positions.length} logprob positions for a ${promptPositions}-token prompt; the server ` +
        "did not echo the prompt's logprobs (is echo supported?)",
    );
  }
  const echoed = positions.slice(0, promptPositions);
  let retries = response.retries;
  let ids = tokenized;
  if (!ids && !positions.every((p) => p.offset !== undefined)) {
    ids = await tokenizeIds(client, context, [prompt, full], signal);
  }
  let selected: PositionLogprob[];
  if (ids) {
    retries += ids.retries;
    const [promptIds, fullIds] = ids.ids as [number[], number[]];
    const continuationCount = fullIds.length - commonPrefixLength(promptIds, fullIds);
    selected = echoed.slice(Math.max(0, promptPositions - continuationCount));
  } else {
    selected = overlappingEnd(echoed, positions[promptPositions], codePoints(continuation));
  }
  return finish(selected, k, usage ?? { inputTokens: positions.length, outputTokens: 0 }, retries);
}

/**
 * The continuation's tokens are those after the common prefix of the prompt's and the whole
 * text's tokens, so a token straddling the boundary counts (as in the llamacpp engine).
 */
function commonPrefixLength(a: readonly number[], b: readonly number[]): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

function hasTokenize(context: BodyContext): boolean {
  return context.flavor === "vllm" || context.flavor === "llamacpp";
}

/**
 * Echoed positions whose span overlaps the last `length` characters of the echo. Offsets are
 * aligned at the end because servers count special tokens (vLLM's BOS "<s>") into them.
 */
function overlappingEnd(
  echoed: readonly PositionLogprob[],
  firstGenerated: PositionLogprob | undefined,
  length: number,
): PositionLogprob[] {
  const last = echoed[echoed.length - 1] as PositionLogprob;
  const echoEnd = firstGenerated?.offset ?? (last.offset as number) + codePoints(last.token);
  const continuationStart = echoEnd - length;
  return echoed.filter((p, i) => {
    const start = p.offset as number;
    const end = echoed[i + 1]?.offset ?? echoEnd;
    return end > continuationStart && start < echoEnd;
  });
}

async function scoreChat(
  client: EndpointClient,
  context: BodyContext,
  messages: readonly ChatMessage[],
  continuation: string,
  k: number,
  signal: AbortSignal | undefined,
): Promise<ScoredContinuation> {
  const url = client.url("/chat/completions");
  const withTurn = (content: string) => [...messages, { role: "assistant", content }];
  const [response, tokenized] = await Promise.all([
    client.request({
      method: "POST",
      path: "/chat/completions",
      body: {
        model: context.model,
        messages: withTurn(continuation),
        continue_final_message: true,
        add_generation_prompt: false,
        max_tokens: 1,
        temperature: 0,
        prompt_logprobs: k,
      },
      expected: "a chat completion with prompt_logprobs",
      signal,
    }),
    tokenizeIds(client, context, [withTurn(""), withTurn(continuation)], signal),
  ]);
  const body = response.body as Json | null;
  const raw =
    body?.prompt_logprobs ??
    (Array.isArray(body?.choices) ? (body.choices[0] as Json | undefined)?.prompt_logprobs : null);
  if (!Array.isArray(raw)) {
    throw shapeError(response, url, "no prompt_logprobs array (is this a vLLM server?)");
  }
  const [prefixIds, fullIds] = tokenized.ids as [number[], number[]];
  if (fullIds.length !== raw.length) {
    throw shapeError(
      response,
      url,
      `prompt_logprobs has ${raw.length} positions but /tokenize gives ${fullIds.length} tokens`,
    );
  }
  const selected: PositionLogprob[] = [];
  for (let i = commonPrefixLength(prefixIds, fullIds); i < fullIds.length; i++) {
    const entries = raw[i];
    const id = fullIds[i] as number;
    if (!entries || typeof entries !== "object") {
      throw shapeError(response, url, `prompt_logprobs[${i}] is empty`);
    }
    const own = (entries as Json)[String(id)] as Json | undefined;
    if (!own || typeof own.logprob !== "number") {
      throw shapeError(response, url, `prompt_logprobs[${i}] lacks the prompt's token ${id}`);
    }
    const ranked = Object.values(entries as Json)
      .filter((e): e is Json => typeof e === "object" && e !== null)
      .filter((e) => typeof e.logprob === "number" && (typeof e.rank !== "number" || e.rank <= k));
    const top: TopLogprob[] = ranked
      .map((e) => ({ token: String(e.decoded_token ?? ""), logprob: e.logprob as number }))
      .sort((a, b) => b.logprob - a.logprob);
    selected.push({ token: String(own.decoded_token ?? ""), logprob: own.logprob, top });
  }
  const usage = usageOf(body?.usage) ?? { inputTokens: raw.length, outputTokens: 0 };
  return finish(selected, k, usage, response.retries + tokenized.retries);
}

function finish(
  selected: readonly PositionLogprob[],
  k: number,
  usage: Usage,
  retries: number,
): ScoredContinuation {
  const tokens: TokenLogprob[] = selected.map((p, i) => {
    if (p.logprob === null) {
      throw new ModelCallError(
        `the server gave no logprob for continuation token ${i} (${JSON.stringify(p.token)}); the ` +
          "first token of a text has none, so give a non-empty prompt",
      );
    }
    return { token: p.token, logprob: p.logprob, top: p.top.slice(0, k) };
  });
  return { tokens, total: tokens.reduce((sum, t) => sum + t.logprob, 0), usage, retries };
}

/** Token ids through `/tokenize` (vLLM: `{prompt}` or `{messages}`; llama.cpp: `{content}`). */
async function tokenizeIds(
  client: EndpointClient,
  context: BodyContext,
  inputs: ReadonlyArray<string | ReadonlyArray<{ role: string; content: string }>>,
  signal: AbortSignal | undefined,
): Promise<{ ids: number[][]; retries: number }> {
  const answers = await Promise.all(
    inputs.map((input) => tokenizeOne(client, context, input, signal)),
  );
  return {
    ids: answers.map((a) => a.ids),
    retries: answers.reduce((sum, a) => sum + a.retries, 0),
  };
}

async function tokenizeOne(
  client: EndpointClient,
  context: BodyContext,
  input: string | ReadonlyArray<{ role: string; content: string }>,
  signal: AbortSignal | undefined,
): Promise<{ ids: number[]; retries: number }> {
  const body =
    typeof input === "string"
      ? context.flavor === "vllm"
        ? { model: context.model, prompt: input, add_special_tokens: false }
        : { content: input, add_special: false }
      : {
          model: context.model,
          messages: input,
          add_generation_prompt: false,
          continue_final_message: true,
        };
  let response: EndpointResponse;
  try {
    response = await client.request({
      method: "POST",
      path: "/tokenize",
      fromRoot: true,
      body,
      expected: "a token list {tokens: [...]}",
      signal,
    });
  } catch (error) {
    if (error instanceof ModelCallError && error.details.status === 404) {
      throw new CapabilityError(
        context.modelId,
        "score (the server has no /tokenize to locate the continuation's tokens)",
        serversThatScore,
      );
    }
    throw error;
  }
  const tokens = (response.body as Json | null)?.tokens;
  if (!Array.isArray(tokens)) {
    throw shapeError(response, client.url("/tokenize", true), "no tokens[] array");
  }
  const ids = tokens.map((t) =>
    typeof t === "number" ? t : Number((t as Json | null)?.id ?? Number.NaN),
  );
  return { ids, retries: response.retries };
}

/** Turns a server's refusal of echo (llama.cpp: "Only no echo is supported") into a capability error. */
async function refusalAsCapability<T>(context: BodyContext, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (
      error instanceof ModelCallError &&
      error.details.status !== undefined &&
      /\becho\b|logprob/i.test(error.details.serverMessage ?? "")
    ) {
      throw new CapabilityError(
        context.modelId,
        `score (the server refused echoed prompt logprobs: "${error.details.serverMessage}")`,
        serversThatScore,
      );
    }
    throw error;
  }
}

function codePoints(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}
