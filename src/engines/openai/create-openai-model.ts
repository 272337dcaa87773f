import { ModelCallError, UsageError } from "../../model/errors.ts";
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
import { EndpointClient, type EndpointClientOptions } from "./endpoint-client.ts";
import {
  apiKeyOf,
  baseURLsOf,
  checkOptions,
  type OpenAIModelOptions,
  optionDefaults,
  replicaSettingsOf,
} from "./openai-model-options.ts";
import { replicaFor } from "./replica.ts";
import { ReplicaGroup } from "./replica-group.ts";
import { checkHealth } from "./replica-health.ts";
import { type BodyContext, chatBody, completionsBody } from "./request-body.ts";
import { parseCompletion } from "./response-parsing.ts";
import type { RetryPolicy } from "./retry-policy.ts";
import { scoreContinuation } from "./score-continuation.ts";
import { detectFlavor, flavorTraits, type ResolvedFlavor } from "./server-flavor.ts";
import { StreamAccumulator } from "./stream-accumulator.ts";

export type { OpenAIModelOptions } from "./openai-model-options.ts";

/**
 * A LanguageModel over an OpenAI-compatible server (vLLM, llama.cpp server, Ollama, OpenAI):
 * chat and completions, n samples, top-k logprobs, JSON schema, and `score` where the server
 * echoes prompt logprobs.
 *
 * @example
 * const model = createOpenAIModel({ baseURL: "http://127.0.0.1:8000/v1", model: "qwen", flavor: "vllm" });
 * const { generations } = await model.generate({ messages: [{ role: "user", content: "2+2?" }] });
 * // replicas of one model: calls spread by routing key, failover, backpressure
 * createOpenAIModel({ baseURL: ["http://a:8000/v1", "http://b:8000/v1"], model: "qwen" });
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
  readonly #clientOptions: EndpointClientOptions;
  readonly #maxTopLogprobs: number;
  #flavor: Promise<ResolvedFlavor> | undefined;

  constructor(options: OpenAIModelOptions) {
    checkOptions(options);
    this.#options = options;
    const baseURLs = baseURLsOf(options);
    this.id =
      options.id ??
      `${options.model}@${baseURLs[0]}${baseURLs.length > 1 ? `+${baseURLs.length - 1}` : ""}`;
    this.api = options.api ?? "chat";
    this.#maxTopLogprobs = options.maxTopLogprobs ?? optionDefaults.maxTopLogprobs;
    const retry: RetryPolicy = {
      maxRetries: options.maxRetries ?? optionDefaults.maxRetries,
      baseMs: options.retryBaseMs ?? optionDefaults.retryBaseMs,
      maxBackoffMs: options.maxBackoffMs ?? optionDefaults.maxBackoffMs,
      maxRetryAfterMs: options.maxRetryAfterMs ?? optionDefaults.maxRetryAfterMs,
    };
    const apiKey = apiKeyOf(options);
    const timeoutMs = options.timeoutMs ?? optionDefaults.timeoutMs;
    const fetch = options.fetch ?? globalThis.fetch;
    const settings = replicaSettingsOf(options);
    const replicas = baseURLs.map((url) =>
      replicaFor(url, settings.adaptive, settings.eject, settings.reset),
    );
    const health = {
      healthPath: settings.healthPath,
      apiKey,
      timeoutMs: Math.min(timeoutMs, 5_000),
      fetch,
    };
    const header = options.routingKeyHeader ?? optionDefaults.routingKeyHeader;
    this.#clientOptions = {
      group: new ReplicaGroup(replicas, settings.balance, (r) => checkHealth(r.baseURL, health)),
      apiKey,
      timeoutMs,
      retry,
      overloadTimeoutMs: options.overloadTimeoutMs ?? optionDefaults.overloadTimeoutMs,
      routingKeyHeader: header === false ? undefined : header,
      fetch,
    };
    this.#client = new EndpointClient(this.#clientOptions);
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
      // Known only for a named flavour: "auto" learns the server at the first call.
      minTokens: options.minTokens ?? flavor === "vllm",
    };
    if (flavor !== "auto") this.#flavor = Promise.resolve(flavor);
  }

  async generate(request: GenerateRequest): Promise<GenerateResult> {
    const started = performance.now();
    const kind = checkRequest(this, request);
    const context = await this.#context(request.signal);
    const n = request.n ?? 1;
    const path = kind === "chat" ? "/chat/completions" : "/completions";
    const client = this.#client.forKey(request.routingKey);
    const url = client.url(path);
    const call = async (count: number, seedOffset: number) => {
      const varied =
        seedOffset > 0 && request.seed !== undefined
          ? { ...request, seed: request.seed + seedOffset }
          : request;
      const body =
        kind === "chat"
          ? chatBody(context, varied, count)
          : completionsBody(context, varied, count);
      const parseOptions = {
        kind,
        url,
        logprobs: request.logprobs,
        prefill: kind === "chat" ? request.prefill : undefined,
      };
      const expected = kind === "chat" ? "a chat completion object" : "a completion object";
      const onText = request.onText;
      if (!onText) {
        const response = await client.request({
          method: "POST",
          path,
          body,
          expected,
          signal: request.signal,
        });
        return {
          ...parseCompletion(response, { ...parseOptions, url: response.url ?? url }),
          retries: response.retries,
        };
      }
      // Streaming: choice i of this call is sample seedOffset + i of the request.
      const emit = (index: number, text: string) => {
        if (seedOffset + index < n && text !== "") onText(seedOffset + index, text);
      };
      const accumulator = new StreamAccumulator({
        kind,
        url,
        prefill: parseOptions.prefill,
        onText: emit,
      });
      const response = await client.request({
        method: "POST",
        path,
        body: { ...body, stream: true, stream_options: { include_usage: true } },
        expected,
        signal: request.signal,
        onEvent: (event) => accumulator.add(event.data, event.event),
      });
      if (!response.streamed) {
        // The server ignored `stream`: the whole answer at once.
        const parsed = parseCompletion(response, parseOptions);
        for (const [i, g] of parsed.generations.entries()) emit(i, g.text);
        return { ...parsed, retries: response.retries };
      }
      if (!accumulator.done && !accumulator.complete) {
        throw new ModelCallError(
          `POST ${url} ended its stream after ${accumulator.eventCount} events without ` +
            "data: [DONE] and before every choice had a finish_reason; the answer is incomplete",
          { url, retries: response.retries },
        );
      }
      accumulator.flush();
      const streamedBody = accumulator.body();
      const parsed = parseCompletion(
        { body: streamedBody, text: JSON.stringify(streamedBody), retries: response.retries },
        parseOptions,
      );
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
    const client = this.#client.forKey(request.routingKey);
    const result = await scoreContinuation(client, context, request);
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
        ...this.#clientOptions,
        timeoutMs: Math.min(this.#clientOptions.timeoutMs, 10_000),
        retry: { maxRetries: 0, baseMs: 0, maxBackoffMs: 0, maxRetryAfterMs: 0 },
        overloadTimeoutMs: 0,
      });
      const baseURL = this.#client.url("");
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
      ...(this.#options.minTokens !== undefined ? { minTokens: this.#options.minTokens } : {}),
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
