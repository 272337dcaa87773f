import { z } from "zod";
import type { ChatMessage, GenerateRequest } from "../model/language-model.ts";
import { formatZodIssue } from "../runtime/zod-issue.ts";
import { HttpError } from "./http-error.ts";

const stop = z.union([z.string(), z.array(z.string()).max(16)]);
const responseFormat = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text") }),
  z.object({ type: z.literal("json_object") }),
  z.object({
    type: z.literal("json_schema"),
    json_schema: z.object({ schema: z.record(z.string(), z.unknown()) }),
  }),
]);

/** Fields both endpoints share (OpenAI names; `top_k` is the common server extension). */
const samplingFields = {
  model: z.string().min(1),
  n: z.number().int().min(1).max(128).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().gt(0).max(1).nullish(),
  top_k: z.number().int().min(0).nullish(),
  max_tokens: z.number().int().min(0).nullish(),
  /** vLLM's extension: no end-of-generation before this many tokens (engines with the capability). */
  min_tokens: z.number().int().min(0).nullish(),
  /** vLLM's extension: logprobs of the prompt's own tokens, with this many alternatives. */
  prompt_logprobs: z.number().int().min(0).max(20).nullish(),
  seed: z.number().int().nullish(),
  stop: stop.nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().nullish() }).nullish(),
  response_format: responseFormat.nullish(),
};

const textPart = z.object({ type: z.literal("text"), text: z.string() });
const chatMessage = z.object({
  role: z.enum(["system", "developer", "user", "assistant"]),
  content: z.union([z.string(), z.array(textPart), z.null()]),
});

const chatSchema = z.object({
  ...samplingFields,
  messages: z.array(chatMessage).min(1),
  max_completion_tokens: z.number().int().min(0).nullish(),
  logprobs: z.boolean().nullish(),
  top_logprobs: z.number().int().min(0).max(20).nullish(),
});

const completionSchema = z.object({
  ...samplingFields,
  prompt: z.union([z.string(), z.array(z.string()).min(1)]),
  logprobs: z.number().int().min(0).max(20).nullish(),
  echo: z.boolean().nullish(),
  suffix: z.string().nullish(),
});

/** Parsed common options of a request: the model name and how to answer. */
export interface ParsedRequest {
  model: string;
  stream: boolean;
  includeUsage: boolean;
  /** Sampling options, without messages/prompt. */
  options: Omit<GenerateRequest, "messages" | "prompt" | "prefill">;
  /** vLLM's `prompt_logprobs`: alternatives per prompt position, when asked. */
  promptLogprobs?: number;
}

export interface ParsedChatRequest extends ParsedRequest {
  messages: ChatMessage[];
  /** A trailing assistant message is continued (as llama.cpp's server does). */
  prefill?: string;
  /** Top alternatives per token, when logprobs were asked. */
  topLogprobs?: number;
}

export interface ParsedCompletionRequest extends ParsedRequest {
  prompts: string[];
  echo: boolean;
  /** Top alternatives per token (OpenAI's legacy integer `logprobs`), when asked. */
  topLogprobs?: number;
  maxTokens: number;
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body, { reportInput: true });
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const { field, message } = formatZodIssue(issue);
  throw new HttpError(400, message, "invalid_request_error", field || null);
}

function rejectUnsupported(body: Record<string, unknown>): void {
  for (const field of ["tools", "functions", "tool_choice", "function_call"]) {
    const value = body[field];
    if (value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0)) {
      throw new HttpError(
        400,
        `${field} is not supported by chorus serve; describe the tool in the prompt and ask for JSON with response_format`,
        "invalid_request_error",
        field,
      );
    }
  }
}

function common(body: z.infer<typeof chatSchema> | z.infer<typeof completionSchema>) {
  const stops = body.stop === undefined || body.stop === null ? undefined : [body.stop].flat();
  const format = body.response_format;
  const jsonSchema =
    format?.type === "json_schema"
      ? format.json_schema.schema
      : format?.type === "json_object"
        ? { type: "object" }
        : undefined;
  const options: ParsedRequest["options"] = {
    ...(body.n != null ? { n: body.n } : {}),
    ...(body.temperature != null ? { temperature: body.temperature } : {}),
    ...(body.top_p != null ? { topP: body.top_p } : {}),
    ...(body.top_k != null ? { topK: body.top_k } : {}),
    ...(body.seed != null ? { seed: body.seed } : {}),
    ...(body.min_tokens ? { minTokens: body.min_tokens } : {}),
    ...(stops && stops.length > 0 ? { stop: stops } : {}),
    ...(jsonSchema ? { jsonSchema } : {}),
  };
  return {
    model: body.model,
    stream: body.stream === true,
    includeUsage: body.stream_options?.include_usage === true,
    options,
    ...(body.prompt_logprobs != null ? { promptLogprobs: body.prompt_logprobs } : {}),
  };
}

/** Validates a `/v1/chat/completions` body; a 400 names the first bad field. */
export function parseChatRequest(body: Record<string, unknown>): ParsedChatRequest {
  rejectUnsupported(body);
  const parsed = parse(chatSchema, body);
  const base = common(parsed);
  const messages: ChatMessage[] = parsed.messages.map((m) => ({
    role: m.role === "developer" ? "system" : m.role,
    content:
      typeof m.content === "string"
        ? m.content
        : m.content === null
          ? ""
          : m.content.map((part) => part.text).join(""),
  }));
  let prefill: string | undefined;
  if (messages.length > 1 && messages.at(-1)!.role === "assistant") {
    prefill = messages.pop()!.content;
  }
  const maxTokens = parsed.max_completion_tokens ?? parsed.max_tokens;
  const topLogprobs = parsed.logprobs === true ? (parsed.top_logprobs ?? 0) : undefined;
  if (parsed.top_logprobs != null && parsed.logprobs !== true) {
    throw new HttpError(
      400,
      "top_logprobs needs logprobs: true",
      "invalid_request_error",
      "top_logprobs",
    );
  }
  return {
    ...base,
    options: {
      ...base.options,
      ...(maxTokens != null ? { maxTokens } : {}),
      ...(topLogprobs !== undefined ? { logprobs: topLogprobs } : {}),
    },
    messages,
    ...(prefill !== undefined ? { prefill } : {}),
    ...(topLogprobs !== undefined ? { topLogprobs } : {}),
  };
}

/** Validates a `/v1/completions` body (raw prompts, no chat template). */
export function parseCompletionRequest(body: Record<string, unknown>): ParsedCompletionRequest {
  rejectUnsupported(body);
  const parsed = parse(completionSchema, body);
  if (parsed.suffix) {
    throw new HttpError(
      400,
      "suffix (fill-in-the-middle) is not supported",
      "invalid_request_error",
      "suffix",
    );
  }
  const base = common(parsed);
  // OpenAI's default for the legacy endpoint
  const maxTokens = parsed.max_tokens ?? 16;
  const topLogprobs = parsed.logprobs ?? undefined;
  return {
    ...base,
    options: {
      ...base.options,
      maxTokens,
      ...(topLogprobs !== undefined ? { logprobs: topLogprobs } : {}),
    },
    prompts: [parsed.prompt].flat(),
    echo: parsed.echo === true,
    ...(topLogprobs !== undefined ? { topLogprobs } : {}),
    maxTokens,
  };
}
