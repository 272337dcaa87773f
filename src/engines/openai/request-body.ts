import { CapabilityError, UsageError } from "../../model/errors.ts";
import type { ChatMessage, GenerateRequest } from "../../model/language-model.ts";
import type { FlavorTraits, ResolvedFlavor } from "./server-flavor.ts";

/** What the body builders need to know about the model and its server. */
export interface BodyContext {
  modelId: string;
  /** Model name the server knows. */
  model: string;
  flavor: ResolvedFlavor;
  traits: FlavorTraits;
  maxTopLogprobs: number;
  /** The `minTokens` option, when given (overrides the flavour's trait). */
  minTokens?: boolean;
}

type Body = Record<string, unknown>;

/** `/chat/completions` body: messages, with the prefill sent the way this server continues it. */
export function chatBody(context: BodyContext, request: GenerateRequest, n: number): Body {
  const messages: ChatMessage[] = [...(request.messages ?? [])];
  const body: Body = { model: context.model, messages };
  if (request.prefill) {
    if (context.traits.prefill === "unsupported") {
      throw new CapabilityError(context.modelId, "prefill on chat messages", [
        "llamacpp",
        "openai flavours vllm, llamacpp, ollama",
        "or pass a raw prompt (completions endpoint)",
      ]);
    }
    messages.push({ role: "assistant", content: request.prefill });
    if (context.traits.prefill === "continue-final-message") {
      body.continue_final_message = true;
      body.add_generation_prompt = false;
    }
  }
  Object.assign(body, samplingFields(context, request, n));
  const top = topLogprobsAsked(context, request);
  if (top !== undefined) {
    body.logprobs = true;
    body.top_logprobs = top;
  }
  if (request.jsonSchema) body.response_format = responseFormat(request.jsonSchema);
  return body;
}

/** `/completions` body: the raw prompt with the prefill appended (no template, so it just continues). */
export function completionsBody(context: BodyContext, request: GenerateRequest, n: number): Body {
  const body: Body = {
    model: context.model,
    prompt: (request.prompt ?? "") + (request.prefill ?? ""),
    ...samplingFields(context, request, n),
  };
  const top = topLogprobsAsked(context, request);
  if (top !== undefined) body.logprobs = top;
  if (request.jsonSchema) {
    if (!context.traits.completionsJsonSchema) {
      throw new CapabilityError(context.modelId, "jsonSchema on a raw prompt", [
        "llamacpp",
        "openai flavours vllm, llamacpp",
        "or send chat messages",
      ]);
    }
    if (context.traits.jsonSchemaField) body.json_schema = request.jsonSchema;
    else body.response_format = responseFormat(request.jsonSchema);
  }
  return body;
}

function samplingFields(context: BodyContext, request: GenerateRequest, n: number): Body {
  const fields: Body = {};
  if (n !== 1) fields.n = n;
  if (request.temperature !== undefined) fields.temperature = request.temperature;
  if (request.topP !== undefined) fields.top_p = request.topP;
  if (request.topK !== undefined) {
    if (!context.traits.topK) {
      throw new CapabilityError(context.modelId, "topK", [
        "llamacpp",
        "openai flavours vllm, llamacpp, ollama",
      ]);
    }
    fields.top_k = request.topK;
  }
  if (request.maxTokens !== undefined) fields.max_tokens = request.maxTokens;
  const minTokens = request.minTokens ?? 0;
  if (minTokens !== 0) {
    if (!Number.isInteger(minTokens) || minTokens < 0)
      throw new UsageError(`minTokens must be a non-negative integer, got ${minTokens}`);
    if (!(context.minTokens ?? context.traits.minTokens)) {
      throw new CapabilityError(
        context.modelId,
        `minTokens (the ${context.flavor} server takes no min_tokens field; set the model's ` +
          'flavor: "vllm", or minTokens: true if this server takes vLLM\'s min_tokens)',
        ["llamacpp", "openai flavour vllm"],
      );
    }
    fields.min_tokens = minTokens;
  }
  if (request.stop && request.stop.length > 0) fields.stop = request.stop;
  if (request.seed !== undefined) fields.seed = request.seed;
  return fields;
}

/** How many alternatives to ask the server for; undefined when no logprobs were asked. */
function topLogprobsAsked(context: BodyContext, request: GenerateRequest): number | undefined {
  const asked = request.logprobs;
  if (asked === undefined) return undefined;
  checkTopLogprobs(context, asked);
  return asked === 0 && context.traits.needsOneTopLogprob ? 1 : asked;
}

/** Rejects an alternatives count the server cannot give, naming the limit and how to raise it. */
export function checkTopLogprobs(context: BodyContext, asked: number): void {
  if (!Number.isInteger(asked) || asked < 0) {
    throw new UsageError(
      `logprobs must be a non-negative integer (alternatives per token), got ${asked}`,
    );
  }
  if (asked > context.maxTopLogprobs) {
    throw new CapabilityError(
      context.modelId,
      `logprobs with ${asked} alternatives (this model allows ${context.maxTopLogprobs}; set ` +
        "maxTopLogprobs if the server allows more)",
      ["llamacpp (full vocabulary)"],
    );
  }
}

function responseFormat(schema: Record<string, unknown>): Body {
  const title = typeof schema.title === "string" ? schema.title : "response";
  const name = title.replace(/[^a-zA-Z0-9_-]/g, "_").slice(0, 64) || "response";
  return { type: "json_schema", json_schema: { name, schema, strict: true } };
}
