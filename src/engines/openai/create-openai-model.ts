import { ConfigError, ModelCallError, UsageError } from "../../model/errors.ts";
import type {
  Capabilities,
  GenerateRequest,
  GenerateResult,
  Generation,
  LanguageModel,
  ScoreRequest,
  ScoreResult,
  Usage,
} from "../../model/language-model.ts";
import { EndpointClient } from "./endpoint-client.ts";
import { endpointSemaphore } from "./endpoint-semaphore.ts";
import { type BodyContext, chatBody, completionsBody } from "./request-body.ts";
import { parseCompletion } from "./response-parsing.ts";
import type { RetryPolicy } from "./retry-policy.ts";
import { scoreContinuation } from "./score-continuation.ts";
import {
  detectFlavor,
  type FlavorOption,
  flavorTraits,
  type ResolvedFlavor,
} from "./server-flavor.ts";

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
  /** Per-attempt time limit in ms (default 120000). */
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
  /** Most top logprobs the server gives per token (default 20, OpenAI's limit). */
  maxTopLogprobs?: number;
  /** Name in the pool (default: `<model>@<baseURL>`). */
  id?: string;
  /** Replacement fetch (e.g. with a custom dispatcher). */
  fetch?: typeof fetch;
}

const defaults = {
  timeoutMs: 120_000,
  maxRetries: 4,
  retryBaseMs: 500,
  maxBackoffMs: 20_000,
  maxRetryAfterMs: 60_000,
  concurrency: 8,
  maxTopLogprobs: 20,
};

/**
 * A LanguageModel over an OpenAI-compatible server (vLLM, llama.cpp server, Ollama, OpenAI):
 * chat and completions, n samples, top-k logprobs, JSON schema, and `score` where the server
 * echoes prompt logprobs.
 *
 * @example
 * const model = createOpenAIModel({ baseURL: "http://127.0.0.1:8000/v1", model: "qwen", flavor: "vllm" });
 * const { generations } = await model.generate({ messages: [{ role: "user", content: "2+2?" }] });
 */
export function createOpenAIModel(options: OpenAIModelOptions): LanguageModel {
  return new OpenAIModel(options);
}

class OpenAIModel implements LanguageModel {
  readonly id: string;
  readonly provider = "openai";
  readonly capabilities: Capabilities;
  /** "completions" when the model is served without a chat template. */
  readonly api: "chat" | "completions";
  readonly #options: OpenAIModelOptions;
  readonly #client: EndpointClient;
  readonly #maxTopLogprobs: number;
  #flavor: Promise<ResolvedFlavor> | undefined;

  constructor(options: OpenAIModelOptions) {
    checkOptions(options);
    this.#options = options;
    this.id = options.id ?? `${options.model}@${options.baseURL}`;
    this.api = options.api ?? "chat";
    this.#maxTopLogprobs = options.maxTopLogprobs ?? defaults.maxTopLogprobs;
    const retry: RetryPolicy = {
      maxRetries: options.maxRetries ?? defaults.maxRetries,
      baseMs: options.retryBaseMs ?? defaults.retryBaseMs,
      maxBackoffMs: options.maxBackoffMs ?? defaults.maxBackoffMs,
      maxRetryAfterMs: options.maxRetryAfterMs ?? defaults.maxRetryAfterMs,
    };
    this.#client = new EndpointClient({
      baseURL: options.baseURL,
      apiKey: apiKeyOf(options),
      timeoutMs: options.timeoutMs ?? defaults.timeoutMs,
      retry,
      semaphore: endpointSemaphore(options.baseURL, options.concurrency, defaults.concurrency),
      fetch: options.fetch ?? globalThis.fetch,
    });
    const flavor = options.flavor ?? "auto";
    this.capabilities = {
      logprobs: "top-k",
      maxTopLogprobs: this.#maxTopLogprobs,
      score: flavor !== "ollama",
      n: true,
      seed: true,
      jsonSchema: true,
      rawPrompt: true,
      decoder: false,
      internals: false,
      lora: false,
    };
    if (flavor !== "auto") this.#flavor = Promise.resolve(flavor);
  }

  async generate(request: GenerateRequest): Promise<GenerateResult> {
    const started = performance.now();
    const kind = checkRequest(this, request);
    const context = await this.#context(request.signal);
    const n = request.n ?? 1;
    const path = kind === "chat" ? "/chat/completions" : "/completions";
    const url = this.#client.url(path);
    const call = async (count: number, seedOffset: number) => {
      const varied =
        seedOffset > 0 && request.seed !== undefined
          ? { ...request, seed: request.seed + seedOffset }
          : request;
      const body =
        kind === "chat"
          ? chatBody(context, varied, count)
          : completionsBody(context, varied, count);
      const response = await this.#client.request({
        method: "POST",
        path,
        body,
        expected: kind === "chat" ? "a chat completion object" : "a completion object",
        signal: request.signal,
      });
      const parsed = parseCompletion(response, {
        kind,
        url,
        logprobs: request.logprobs,
        prefill: kind === "chat" ? request.prefill : undefined,
      });
      return { ...parsed, retries: response.retries };
    };
    // Servers that answer one choice per request get n requests (varied seeds so seeded samples
    // differ); others get one request, topped up if they return fewer choices than asked.
    const first = context.traits.oneChoicePerRequest
      ? await Promise.all(Array.from({ length: n }, (_, i) => call(1, i)))
      : [await call(n, 0)];
    const results = [...first];
    const have = results.reduce((sum, r) => sum + r.generations.length, 0);
    if (have < n) {
      const extra = await Promise.all(
        Array.from({ length: n - have }, (_, i) => call(1, have + i)),
      );
      results.push(...extra);
    }
    const generations: Generation[] = results.flatMap((r) => r.generations).slice(0, n);
    const usage: Usage = { inputTokens: 0, outputTokens: 0 };
    for (const r of results) {
      usage.inputTokens += r.usage?.inputTokens ?? 0;
      usage.outputTokens += r.usage?.outputTokens ?? 0;
    }
    return {
      generations,
      usage,
      meta: {
        retries: results.reduce((sum, r) => sum + r.retries, 0),
        latencyMs: performance.now() - started,
      },
    };
  }

  async score(request: ScoreRequest): Promise<ScoreResult> {
    const started = performance.now();
    const context = await this.#context(request.signal);
    const result = await scoreContinuation(this.#client, context, request);
    return { ...result, meta: { retries: result.retries, latencyMs: performance.now() - started } };
  }

  /**
   * The server's dialect, asked once. The probe has no retries (a dead server fails the real call
   * with the full retry policy); an answer without a known owner means "generic", while a probe
   * that got no answer at all is asked again on the next call.
   */
  async #context(signal: AbortSignal | undefined): Promise<BodyContext> {
    if (!this.#flavor) {
      const probe = new EndpointClient({
        baseURL: this.#options.baseURL,
        apiKey: apiKeyOf(this.#options),
        timeoutMs: Math.min(this.#options.timeoutMs ?? defaults.timeoutMs, 10_000),
        retry: { maxRetries: 0, baseMs: 0, maxBackoffMs: 0, maxRetryAfterMs: 0 },
        semaphore: endpointSemaphore(this.#options.baseURL, undefined, defaults.concurrency),
        fetch: this.#options.fetch ?? globalThis.fetch,
      });
      const baseURL = this.#options.baseURL;
      const detection = probe
        .request({ method: "GET", path: "/models", expected: "a model list", signal })
        .then(
          (response) => detectFlavor(response.body, baseURL),
          (error: unknown) => {
            if (error instanceof ModelCallError && error.details.status !== undefined) {
              return detectFlavor(undefined, baseURL);
            }
            if (this.#flavor === detection) this.#flavor = undefined;
            if (signal?.aborted) throw error;
            return detectFlavor(undefined, baseURL);
          },
        );
      this.#flavor = detection;
    }
    const flavor = await this.#flavor;
    return {
      modelId: this.id,
      model: this.#options.model,
      flavor,
      traits: flavorTraits(flavor),
      maxTopLogprobs: this.#maxTopLogprobs,
    };
  }
}

function checkRequest(model: OpenAIModel, request: GenerateRequest): "chat" | "completions" {
  const hasMessages = request.messages !== undefined;
  const hasPrompt = request.prompt !== undefined;
  if (hasMessages === hasPrompt) {
    throw new UsageError(
      `model "${model.id}": give exactly one of messages (chat) or prompt (raw text), got ` +
        (hasMessages ? "both" : "neither"),
    );
  }
  const n = request.n ?? 1;
  if (!Number.isInteger(n) || n < 1) {
    throw new UsageError(`model "${model.id}": n must be a positive integer, got ${n}`);
  }
  if (hasMessages && model.api === "completions") {
    throw new UsageError(
      `model "${model.id}" is configured with api: "completions" (no chat template), so it takes ` +
        'raw prompts only; pass prompt instead of messages, or set api: "chat"',
    );
  }
  return hasMessages ? "chat" : "completions";
}

function apiKeyOf(options: OpenAIModelOptions): string | undefined {
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

function checkOptions(options: OpenAIModelOptions): void {
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
  const flavors = ["auto", "vllm", "llamacpp", "ollama", "openai"];
  if (options.flavor !== undefined && !flavors.includes(options.flavor)) {
    throw new ConfigError(
      `flavor must be one of ${flavors.join(", ")}, got "${options.flavor}"`,
      "flavor",
    );
  }
}
