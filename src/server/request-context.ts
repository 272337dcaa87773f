import type { ServerResponse } from "node:http";
import type { Usage } from "../model/language-model.ts";
import { HttpError } from "./http-error.ts";
import type { ServedModels } from "./model-source.ts";

/** What a route handler gets for one request. */
export interface RequestContext {
  response: ServerResponse;
  models: ServedModels;
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

/** A 404 naming the models the server has, unless `name` is one of them. */
export function requireModel(models: ServedModels, name: string): void {
  const names = models.names();
  if (!names.includes(name)) {
    throw new HttpError(
      404,
      `model "${name}" does not exist on this server; available: ${names.join(", ") || "(none)"}`,
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
