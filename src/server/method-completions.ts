import { z } from "zod";
import { HttpError } from "./http-error.ts";
import { type MethodAnswer, runMethod } from "./method-run.ts";
import type { ParsedChatRequest } from "./openai-request.ts";
import { PendingJson } from "./pending-json.ts";
import type { RequestContext } from "./request-context.ts";
import type { VirtualModel } from "./served-methods.ts";
import { SseStream } from "./sse-stream.ts";

/** chorus's request fields for virtual models: `documents` and `chorus: { trace }`. */
const extensionSchema = z.object({
  documents: z
    .array(z.union([z.string(), z.object({ text: z.string() }).transform((d) => d.text)]))
    .nullish(),
  chorus: z.object({ trace: z.boolean().nullish() }).nullish(),
});

/**
 * `POST /v1/chat/completions` for a virtual model `<method>:<model>`: the method runs on the chat
 * and its final answer is the assistant message. Sampling fields are the method's settings, not
 * the request's; `seed` seeds the method. Streamed, the answer comes as one delta when the method
 * has decided, after keep-alive comments.
 */
export async function methodCompletion(
  context: RequestContext,
  body: Record<string, unknown>,
  request: ParsedChatRequest,
  virtual: VirtualModel,
): Promise<void> {
  refuseSamplingShape(request);
  const parsed = extensionSchema.safeParse(body);
  if (!parsed.success) {
    throw new HttpError(
      400,
      "documents must be an array of strings or {text} objects; chorus must be {trace: boolean}",
      "invalid_request_error",
      "documents",
    );
  }
  const documents = parsed.data.documents ?? undefined;
  const trace = parsed.data.chorus?.trace === true;
  const run = () =>
    runMethod(context.models, {
      virtual,
      messages: request.messages,
      ...(documents ? { documents } : {}),
      ...(request.options.seed !== undefined ? { seed: request.options.seed } : {}),
      id: context.id,
      signal: context.signal,
    });
  const head = { id: `chatcmpl-${context.id}`, created: context.created, model: virtual.name };
  const extension = (answer: MethodAnswer) => (trace ? { chorus: traceBody(virtual, answer) } : {});

  if (!request.stream) {
    const pending = new PendingJson(context.response, context.keepAliveMs);
    let answer: MethodAnswer;
    try {
      answer = await run();
    } catch (error) {
      pending.fail(error);
      return;
    }
    pending.send({
      ...head,
      object: "chat.completion",
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: answer.content },
          logprobs: null,
          finish_reason: "stop",
        },
      ],
      usage: usageOf(answer),
      ...extension(answer),
    });
    return;
  }

  const stream = new SseStream(context.response);
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    stream.send({ ...head, object: "chat.completion.chunk", choices, ...extra });
  chunk([
    { index: 0, delta: { role: "assistant", content: "" }, logprobs: null, finish_reason: null },
  ]);
  const timer = setInterval(() => stream.keepAlive(), context.keepAliveMs);
  let answer: MethodAnswer;
  try {
    answer = await run();
  } catch (error) {
    stream.fail(error);
    return;
  } finally {
    clearInterval(timer);
  }
  chunk([{ index: 0, delta: { content: answer.content }, logprobs: null, finish_reason: null }]);
  chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: "stop" }], extension(answer));
  if (request.includeUsage) chunk([], { usage: usageOf(answer) });
  stream.end();
}

/** What a method's answer cannot honour: n samples, token logprobs, a schema, a prefill. */
function refuseSamplingShape(request: ParsedChatRequest): void {
  const refuse = (param: string, what: string) => {
    throw new HttpError(
      400,
      `a method's virtual model gives one final answer: ${what} is not supported`,
      "invalid_request_error",
      param,
    );
  };
  if ((request.options.n ?? 1) !== 1) refuse("n", "n > 1");
  if (request.topLogprobs !== undefined) refuse("logprobs", "logprobs");
  if (request.promptLogprobs !== undefined) refuse("prompt_logprobs", "prompt_logprobs");
  if (request.options.jsonSchema) refuse("response_format", "response_format");
  if (request.prefill !== undefined) refuse("messages", "a trailing assistant message (prefill)");
}

/** Every internal call's tokens, in OpenAI's usage shape. */
function usageOf(answer: MethodAnswer) {
  const { inputTokens, outputTokens } = answer.usage;
  return {
    prompt_tokens: inputTokens,
    completion_tokens: outputTokens,
    total_tokens: inputTokens + outputTokens,
  };
}

/** The `chorus` extension: the method's trace (samples and votes, α per token, iterations). */
function traceBody(virtual: VirtualModel, answer: MethodAnswer) {
  return {
    method: virtual.method.name,
    model: virtual.model,
    prediction: answer.output.prediction ?? null,
    ...(answer.output.response !== undefined ? { response: answer.output.response } : {}),
    details: answer.output.details ?? {},
    calls: answer.usage.calls,
  };
}
