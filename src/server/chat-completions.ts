import type { GenerateRequest, GenerateResult } from "../model/language-model.ts";
import { chatLogprobs, finishReason } from "./openai-logprobs.ts";
import { parseChatRequest } from "./openai-request.ts";
import { type RequestContext, requireModel, sendJson, usageBody } from "./request-context.ts";
import { SseStream } from "./sse-stream.ts";

/** `POST /v1/chat/completions`: chat-templated generation, n samples, logprobs, streaming. */
export async function chatCompletions(
  context: RequestContext,
  body: Record<string, unknown>,
): Promise<void> {
  const request = parseChatRequest(body);
  requireModel(context.models, request.model);
  const generate: GenerateRequest = {
    ...request.options,
    messages: request.messages,
    ...(request.prefill !== undefined ? { prefill: request.prefill } : {}),
    signal: context.signal,
  };
  const id = `chatcmpl-${context.id}`;
  const head = { id, created: context.created, model: request.model };

  if (!request.stream) {
    const result = await context.models.use(request.model, (m) => m.generate(generate));
    sendJson(context.response, 200, {
      ...head,
      object: "chat.completion",
      choices: result.generations.map((g, index) => ({
        index,
        message: { role: "assistant", content: g.text },
        logprobs: request.topLogprobs !== undefined && g.logprobs ? chatLogprobs(g.logprobs) : null,
        finish_reason: finishReason(g.finishReason),
      })),
      usage: usageBody(result.usage),
    });
    return;
  }

  const stream = new SseStream(context.response);
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    stream.send({ ...head, object: "chat.completion.chunk", choices, ...extra });
  const n = request.options.n ?? 1;
  for (let index = 0; index < n; index++) {
    chunk([
      { index, delta: { role: "assistant", content: "" }, logprobs: null, finish_reason: null },
    ]);
  }
  // Text streams as the engine produces it; with logprobs, each sample's text and logprobs come
  // in one chunk at the end, so tokens and text stay aligned.
  const sent: string[] = Array.from({ length: n }, () => "");
  if (request.topLogprobs === undefined) {
    generate.onText = (index, text) => {
      if (index >= n || text === "") return;
      sent[index] += text;
      chunk([{ index, delta: { content: text }, logprobs: null, finish_reason: null }]);
    };
  }
  let result: GenerateResult;
  try {
    result = await context.models.use(request.model, (m) => m.generate(generate));
  } catch (error) {
    stream.fail(error);
    return;
  }
  result.generations.forEach((g, index) => {
    const already = sent[index] ?? "";
    const rest = g.text.startsWith(already) ? g.text.slice(already.length) : "";
    if (rest !== "" || (request.topLogprobs !== undefined && g.logprobs)) {
      chunk([
        {
          index,
          delta: { content: rest },
          logprobs:
            request.topLogprobs !== undefined && g.logprobs ? chatLogprobs(g.logprobs) : null,
          finish_reason: null,
        },
      ]);
    }
    chunk([{ index, delta: {}, logprobs: null, finish_reason: finishReason(g.finishReason) }]);
  });
  if (request.includeUsage) chunk([], { usage: usageBody(result.usage) });
  stream.end();
}
