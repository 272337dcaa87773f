import { ModelCallError } from "../../model/errors.ts";
import type { FinishReason, Generation, Usage } from "../../model/language-model.ts";
import { type EndpointResponse, serverMessageOf } from "./http-attempt.ts";
import { LogprobsShapeError, readLogprobs, toTokenLogprobs } from "./logprobs-mapping.ts";

/** A response's generations and usage, before meta is added. */
export interface ParsedCompletion {
  generations: Generation[];
  usage: Usage | undefined;
}

/** How to read one response: the endpoint kind and what the caller asked for. */
export interface ParseOptions {
  kind: "chat" | "completions";
  /** Where the response came from, for error messages. */
  url: string;
  /** Alternatives per token asked by the caller; undefined = no logprobs wanted. */
  logprobs: number | undefined;
  /** Chat prefill, stripped from the text when a server echoes it. */
  prefill?: string | undefined;
}

type Json = Record<string, unknown>;

/**
 * Reads `choices[]` of a chat or completions response (ordered by `index`), mapping logprobs of
 * any known shape — including llama.cpp's native `completion_probabilities` — to the normalized form.
 */
export function parseCompletion(
  response: EndpointResponse,
  options: ParseOptions,
): ParsedCompletion {
  const body = response.body as Json | null;
  const fail = (problem: string): never => {
    throw shapeError(response, options.url, `${problem} (expected ${expectedShape(options.kind)})`);
  };
  if (body && typeof body === "object" && !Array.isArray(body.choices) && body.error) {
    const serverMessage = serverMessageOf(response.text);
    throw new ModelCallError(`POST ${options.url} answered 200 with an error: ${serverMessage}`, {
      serverMessage,
      url: options.url,
      retries: response.retries,
    });
  }
  if (!body || typeof body !== "object" || !Array.isArray(body.choices)) fail("no choices[] array");
  const choices = [...((body as Json).choices as unknown[])];
  if (choices.length === 0) fail("choices[] is empty");
  choices.sort((a, b) => indexOf(a) - indexOf(b));
  const generations = choices.map((choice, i): Generation => {
    if (!choice || typeof choice !== "object") return fail(`choices[${i}] is not an object`);
    const c = choice as Json;
    let text: unknown;
    if (options.kind === "chat") {
      const message = c.message as Json | undefined;
      if (!message || typeof message !== "object") fail(`choices[${i}].message is missing`);
      text = (message as Json).content ?? "";
    } else text = c.text ?? c.content;
    if (typeof text !== "string") return fail(`choices[${i}] has no text string`);
    if (options.prefill && text.startsWith(options.prefill)) {
      text = text.slice(options.prefill.length);
    }
    const generation: Generation = {
      text: text as string,
      finishReason: finishReasonOf(c.finish_reason ?? c.stop_reason),
    };
    if (options.logprobs !== undefined) {
      const raw = c.logprobs ?? c.completion_probabilities ?? body?.completion_probabilities;
      if (raw === undefined || raw === null) {
        fail(`choices[${i}] has no logprobs although they were asked for`);
      }
      try {
        generation.logprobs = toTokenLogprobs(readLogprobs(raw, options.logprobs));
      } catch (error) {
        if (error instanceof LogprobsShapeError) fail(`choices[${i}].logprobs: ${error.message}`);
        throw error;
      }
    }
    return generation;
  });
  return { generations, usage: usageOf(body?.usage) };
}

/** A ModelCallError saying what was wrong with the body, quoting its first 200 characters. */
export function shapeError(response: EndpointResponse, url: string, problem: string) {
  return new ModelCallError(
    `POST ${url} returned an unexpected response: ${problem}; first 200 chars: ` +
      JSON.stringify(response.text.slice(0, 200)),
    { url, retries: response.retries },
  );
}

/** Usage from an OpenAI `usage` object; undefined when the server sent none. */
export function usageOf(raw: unknown): Usage | undefined {
  if (!raw || typeof raw !== "object") return undefined;
  const { prompt_tokens, completion_tokens } = raw as Json;
  if (typeof prompt_tokens !== "number" && typeof completion_tokens !== "number") return undefined;
  return {
    inputTokens: typeof prompt_tokens === "number" ? prompt_tokens : 0,
    outputTokens: typeof completion_tokens === "number" ? completion_tokens : 0,
  };
}

function expectedShape(kind: "chat" | "completions"): string {
  return kind === "chat"
    ? "a chat completion: {choices: [{message: {content}, finish_reason}]}"
    : "a completion: {choices: [{text, finish_reason}]}";
}

function indexOf(choice: unknown): number {
  const index = (choice as Json | null)?.index;
  return typeof index === "number" ? index : 0;
}

function finishReasonOf(reason: unknown): FinishReason {
  if (reason === "stop" || reason === "eos" || reason === "stop_sequence") return "stop";
  if (reason === "length" || reason === "max_tokens") return "length";
  return "other";
}
