import type { ServerResponse } from "node:http";
import type { Usage } from "../model/language-model.ts";
import { HttpError } from "./http-error.ts";
import type { ServedModels } from "./model-source.ts";
import type { ServedMethods } from "./served-methods.ts";

/** What a route handler gets for one request. */
export interface RequestContext {
  response: ServerResponse;
  models: ServedModels;
  /** Methods served as virtual models `<method>:<model>`, when any. */
  methods?: ServedMethods;
  /** How often a long answer sends keep-alive bytes. */
  keepAliveMs: number;
  /** Aborted when the client goes away before the answer is complete. */
  signal: AbortSignal;
  /** Unique per request, used in the response `id`. */
  id: string;
  /** Unix seconds. */
  created: number;
}

/** Sends a JSON response. */
export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  response.end(text);
}

/** Every model name a client may use: the models, then the virtual `<method>:<model>` ones. */
export function servedNames(context: Pick<RequestContext, "models" | "methods">): string[] {
  const names = context.models.names();
  return [...names, ...(context.methods?.names(names) ?? [])];
}

/** A 404 naming the models the server has, unless `name` is one of them. */
export function requireModel(
  models: ServedModels,
  name: string,
  listed: readonly string[] = models.names(),
): void {
  const names = models.names();
  if (!names.includes(name)) {
    throw new HttpError(
      404,
      `model "${name}" does not exist on this server; available: ${listed.join(", ") || "(none)"}`,
      "invalid_request_error",
      "model",
      "model_not_found",
    );
  }
}

/** OpenAI's usage object. */
export function usageBody(usage: Usage) {
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
  };
}
