import { ConfigError } from "../../model/errors.ts";
import type { FlavorOption } from "./server-flavor.ts";

/** How to reach an OpenAI-compatible server and how hard to try. */
export interface OpenAIModelOptions {
  /** Base URL including the API version, e.g. `http://127.0.0.1:8000/v1`. */
  baseURL: string;
  /** Model name the server serves. */
  model: string;
  /** API key; default: the env var named by `apiKeyEnv`, else `OPENAI_API_KEY` (local servers need none). */
  apiKey?: string;
  /** Env var holding the API key; it must be set when given. */
  apiKeyEnv?: string;
  /**
   * Endpoint for chat messages: "chat" (default) sends them to `/chat/completions`; "completions"
   * marks a base model served without a chat template, so only raw prompts are accepted. Raw
   * prompts always go to `/completions`.
   */
  api?: "chat" | "completions";
  /** Server dialect; "auto" (default) asks `GET /models` once. */
  flavor?: FlavorOption;
  /**
   * Per-attempt time limit in ms (default 120000). When streaming (`onText`), it bounds the wait
   * for the headers and then for each piece of the stream, not the whole answer.
   */
  timeoutMs?: number;
  /** Retries after the first attempt on 429, 5xx and dropped connections (default 4). */
  maxRetries?: number;
  /** First backoff ceiling in ms, doubled per retry, full jitter (default 500). */
  retryBaseMs?: number;
  /** Longest single backoff in ms (default 20000). */
  maxBackoffMs?: number;
  /** Longest Retry-After honoured in ms (default 60000). */
  maxRetryAfterMs?: number;
  /** Requests in flight to this base URL, shared by every model using it (default 8). */
  concurrency?: number;
  /**
   * Whether the server takes vLLM's `min_tokens` field (`minTokens` in requests, exact: the server
   * masks end-of-sequence). Default: true for `flavor: "vllm"`, false otherwise; set it for other
   * servers that have the field (e.g. SGLang), or false to refuse `minTokens` even on vLLM.
   * llama.cpp server, Ollama and OpenAI have no such field (a request with `minTokens` is then a
   * CapabilityError, never silently ignored).
   */
  minTokens?: boolean;
  /** Most top logprobs the server gives per token (default 20, OpenAI's limit). */
  maxTopLogprobs?: number;
  /** Name in the pool (default: `<model>@<baseURL>`). */
  id?: string;
  /** Replacement fetch (e.g. with a custom dispatcher). */
  fetch?: typeof fetch;
}

/** Values used when an option is left out. */
export const optionDefaults = {
  timeoutMs: 120_000,
  maxRetries: 4,
  retryBaseMs: 500,
  maxBackoffMs: 20_000,
  maxRetryAfterMs: 60_000,
  concurrency: 8,
  maxTopLogprobs: 20,
};

/** The API key: `apiKey`, else the env var named by `apiKeyEnv` (must be set), else OPENAI_API_KEY. */
export function apiKeyOf(options: OpenAIModelOptions): string | undefined {
  if (options.apiKey !== undefined) return options.apiKey;
  if (options.apiKeyEnv !== undefined) {
    const key = process.env[options.apiKeyEnv];
    if (!key) {
      throw new ConfigError(
        `apiKeyEnv names ${options.apiKeyEnv}, but that environment variable is not set; ` +
          "export it or drop apiKeyEnv",
        "apiKeyEnv",
      );
    }
    return key;
  }
  return process.env.OPENAI_API_KEY || undefined;
}

/** Throws a ConfigError naming the first bad option and what it should be. */
export function checkOptions(options: OpenAIModelOptions): void {
  let url: URL;
  try {
    url = new URL(options.baseURL);
  } catch {
    throw new ConfigError(
      `baseURL "${options.baseURL}" is not a URL; give e.g. http://127.0.0.1:8000/v1`,
      "baseURL",
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigError(
      `baseURL must start with http:// or https://, got "${options.baseURL}"; give e.g. ` +
        "http://127.0.0.1:8000/v1",
      "baseURL",
    );
  }
  if (typeof options.model !== "string" || options.model === "") {
    throw new ConfigError("model is required: the model name the server serves", "model");
  }
  const positive: Array<keyof OpenAIModelOptions> = [
    "timeoutMs",
    "concurrency",
    "maxTopLogprobs",
    "retryBaseMs",
    "maxBackoffMs",
    "maxRetryAfterMs",
  ];
  for (const field of positive) {
    const value = options[field];
    if (value !== undefined && !(typeof value === "number" && value > 0)) {
      throw new ConfigError(`${field} must be a positive number, got ${String(value)}`, field);
    }
  }
  for (const field of ["concurrency", "maxTopLogprobs", "maxRetries"] as const) {
    const value = options[field];
    if (value !== undefined && !(Number.isInteger(value) && value >= 0)) {
      throw new ConfigError(`${field} must be a whole number, got ${String(value)}`, field);
    }
  }
  if (options.api !== undefined && options.api !== "chat" && options.api !== "completions") {
    throw new ConfigError(`api must be "chat" or "completions", got "${options.api}"`, "api");
  }
  if (options.minTokens !== undefined && typeof options.minTokens !== "boolean") {
    throw new ConfigError(
      `minTokens must be true or false, got ${String(options.minTokens)}`,
      "minTokens",
    );
  }
  const flavors = ["auto", "vllm", "llamacpp", "ollama", "openai"];
  if (options.flavor !== undefined && !flavors.includes(options.flavor)) {
    throw new ConfigError(
      `flavor must be one of ${flavors.join(", ")}, got "${options.flavor}"`,
      "flavor",
    );
  }
}
