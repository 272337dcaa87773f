import type { GenerateRequest, GenerateResult } from "../model/language-model.ts";
import { methodCompletion } from "./method-completions.ts";
import { chatLogprobs, finishReason } from "./openai-logprobs.ts";
import { parseChatRequest } from "./openai-request.ts";
import { promptLogprobsOf, vllmPromptLogprobs } from "./prompt-logprobs.ts";
import {
  type RequestContext,
  requireModel,
  sendJson,
  servedNames,
  usageBody,
} from "./request-context.ts";
import { SseStream } from "./sse-stream.ts";

/**
 * `POST /v1/chat/completions`: chat-templated generation, n samples, logprobs, streaming; a
 * virtual model `<method>:<model>` runs its method.
 */
export async function chatCompletions(
  context: RequestContext,
  body: Record<string, unknown>,
): Promise<void> {
  const request = parseChatRequest(body);
  const virtual = context.methods?.resolve(request.model, context.models.names());
  if (virtual) return methodCompletion(context, body, request, virtual);
  requireModel(context.models, request.model, servedNames(context));
  const generate: GenerateRequest = {
    ...request.options,
    messages: request.messages,
    ...(request.prefill !== undefined ? { prefill: request.prefill } : {}),
    signal: context.signal,
  };
  const id = `chatcmpl-${context.id}`;
  const head = { id, created: context.created, model: request.model };
  // vLLM's prompt_logprobs: the rendered prompt (prefill included) teacher-forced, top level
  const k = request.promptLogprobs;
  const prompt =
    k === undefined
      ? {}
      : {
          prompt_logprobs: vllmPromptLogprobs(
            await context.models.use(request.model, (m) =>
              promptLogprobsOf(
                m,
                request.model,
                {
                  messages: request.messages,
                  ...(request.prefill !== undefined ? { prefill: request.prefill } : {}),
                },
                k,
                context.signal,
              ),
            ),
          ),
        };

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
      ...prompt,
    });
    return;
  }

  const stream = new SseStream(context.response);
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    stream.send({ ...head, object: "chat.completion.chunk", choices, ...extra });
  const n = request.options.n ?? 1;
  for (let index = 0; index < n; index++) {
    chunk(
      [{ index, delta: { role: "assistant", content: "" }, logprobs: null, finish_reason: null }],
      index === 0 ? prompt : {},
    );
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
