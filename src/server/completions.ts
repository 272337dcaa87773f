import type {
  GenerateRequest,
  GenerateResult,
  TokenLogprob,
  Usage,
} from "../model/language-model.ts";
import { HttpError } from "./http-error.ts";
import { completionLogprobs, finishReason } from "./openai-logprobs.ts";
import { type ParsedCompletionRequest, parseCompletionRequest } from "./openai-request.ts";
import { promptLogprobsOf, vllmPromptLogprobs } from "./prompt-logprobs.ts";
import {
  type RequestContext,
  requireModel,
  sendJson,
  servedNames,
  usageBody,
} from "./request-context.ts";
import { SseStream } from "./sse-stream.ts";

interface Choice {
  text: string;
  index: number;
  logprobs: ReturnType<typeof completionLogprobs> | null;
  finish_reason: "stop" | "length";
  prompt_logprobs?: ReturnType<typeof vllmPromptLogprobs>;
}

/**
 * `POST /v1/completions`: raw prompts (one or several), n samples each, legacy integer
 * `logprobs`, `echo` (prompt logprobs come from the model's `score`), streaming.
 */
export async function completions(
  context: RequestContext,
  body: Record<string, unknown>,
): Promise<void> {
  const request = parseCompletionRequest(body);
  if (context.methods?.resolve(request.model, context.models.names())) {
    throw new HttpError(
      400,
      `"${request.model}" runs a method on a chat: send it to /v1/chat/completions`,
      "invalid_request_error",
      "model",
    );
  }
  requireModel(context.models, request.model, servedNames(context));
  const head = { id: `cmpl-${context.id}`, created: context.created, model: request.model };
  const n = request.options.n ?? 1;
  const stream = request.stream ? new SseStream(context.response) : undefined;
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    stream?.send({ ...head, object: "text_completion", choices, ...extra });

  const usage: Usage = { inputTokens: 0, outputTokens: 0 };
  const choices: Choice[] = [];
  try {
    for (const [promptIndex, prompt] of request.prompts.entries()) {
      const base = promptIndex * n;
      const echoed = request.echo ? await echoLogprobs(context, request, prompt) : undefined;
      const k = request.promptLogprobs;
      // vLLM's prompt_logprobs, on every choice of this prompt (streamed: on its first chunk)
      const promptPart =
        k === undefined
          ? {}
          : {
              prompt_logprobs: vllmPromptLogprobs(
                await context.models.use(request.model, (m) =>
                  promptLogprobsOf(m, request.model, { prompt }, k, context.signal),
                ),
              ),
            };
      if (stream && k !== undefined && !request.echo) {
        for (let i = 0; i < n; i++) {
          chunk([
            { text: "", index: base + i, logprobs: null, finish_reason: null, ...promptPart },
          ]);
        }
      }
      const sent: string[] = Array.from({ length: n }, () => "");
      if (stream && request.echo) {
        for (let i = 0; i < n; i++) {
          sent[i] = "";
          chunk([
            { text: prompt, index: base + i, logprobs: null, finish_reason: null, ...promptPart },
          ]);
        }
      }
      const generate: GenerateRequest = { ...request.options, prompt, signal: context.signal };
      if (stream && request.topLogprobs === undefined) {
        generate.onText = (i, text) => {
          if (i >= n || text === "") return;
          sent[i] += text;
          chunk([{ text, index: base + i, logprobs: null, finish_reason: null }]);
        };
      }
      // max_tokens 0 with echo is how clients score a prompt without generating
      const result: GenerateResult =
        request.maxTokens === 0
          ? {
              generations: Array.from({ length: n }, () => ({
                text: "",
                finishReason: "length" as const,
              })),
              usage: { inputTokens: echoed?.tokens.length ?? 0, outputTokens: 0 },
            }
          : await context.models.use(request.model, (m) => m.generate(generate));
      usage.inputTokens += echoed ? echoed.tokens.length : result.usage.inputTokens;
      usage.outputTokens += result.usage.outputTokens;
      result.generations.forEach((g, i) => {
        const index = base + i;
        const prefix = request.echo ? prompt : "";
        let logprobs: Choice["logprobs"] = null;
        if (request.topLogprobs !== undefined) {
          const tokens: TokenLogprob[] = [...(echoed?.tokens ?? []), ...(g.logprobs ?? [])];
          logprobs = completionLogprobs(tokens);
        }
        const reason = finishReason(g.finishReason);
        if (stream) {
          const already = sent[i] ?? "";
          const rest = g.text.startsWith(already) ? g.text.slice(already.length) : "";
          if (rest !== "" || logprobs)
            chunk([{ text: rest, index, logprobs, finish_reason: null }]);
          chunk([{ text: "", index, logprobs: null, finish_reason: reason }]);
        } else {
          choices.push({
            text: prefix + g.text,
            index,
            logprobs,
            finish_reason: reason,
            ...promptPart,
          });
        }
      });
    }
  } catch (error) {
    if (stream) {
      stream.fail(error);
      return;
    }
    throw error;
  }
  if (stream) {
    if (request.includeUsage) chunk([], { usage: usageBody(usage) });
    stream.end();
    return;
  }
  sendJson(context.response, 200, {
    ...head,
    object: "text_completion",
    choices,
    usage: usageBody(usage),
  });
}

/** Logprobs of the prompt's own tokens, from the model's teacher-forced `score`. */
async function echoLogprobs(
  context: RequestContext,
  request: ParsedCompletionRequest,
  prompt: string,
): Promise<{ tokens: TokenLogprob[] } | undefined> {
  if (request.topLogprobs === undefined) return undefined;
  return context.models.use(request.model, async (model) => {
    if (!model.capabilities.score || !model.score) {
      throw new HttpError(
        400,
        `echo with logprobs needs a model that can score prompts; "${request.model}" (${model.provider}) cannot — drop logprobs or echo`,
        "invalid_request_error",
        "echo",
        "unsupported",
      );
    }
    const scored = await model.score({
      prompt: "",
      continuation: prompt,
      topLogprobs: request.topLogprobs ?? 0,
      signal: context.signal,
    });
    return { tokens: scored.tokens };
  });
}
