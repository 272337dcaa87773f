import { ConfigError } from "../../model/errors.ts";
import type { AdaptiveSettings } from "./adaptive-limit.ts";
import type { EjectSettings } from "./replica.ts";
import type { BalanceSettings } from "./replica-group.ts";
import type { FlavorOption } from "./server-flavor.ts";

/** How to reach an OpenAI-compatible server and how hard to try. */
export interface OpenAIModelOptions {
  /**
   * Base URL including the API version, e.g. `http://127.0.0.1:8000/v1`, or the base URLs of
   * several replicas serving the same model (calls are spread over them, see `balance`).
   */
  baseURL: string | readonly string[];
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
  /**
   * Retries after the first attempt on 5xx (but 503) and dropped connections once no replica is
   * left to fail over to (default 4). 429/503 are bounded by `overloadTimeoutMs` instead.
   */
  maxRetries?: number;
  /**
   * How long 429/503 backpressure (Retry-After honoured) may hold one call, and how long in all it
   * may wait for an ejected replica's readmission once every replica in rotation failed it
   * (default 900000).
   */
  overloadTimeoutMs?: number;
  /** First backoff ceiling in ms, doubled per retry, full jitter (default 500). */
  retryBaseMs?: number;
  /** Longest single backoff in ms (default 20000). */
  maxBackoffMs?: number;
  /** Longest Retry-After honoured in ms (default 60000). */
  maxRetryAfterMs?: number;
  /**
   * Requests in flight per replica, shared by every model using its base URL. Alone it is a fixed
   * ceiling (cut under backpressure, regained after); with `adaptive` it is where the adaptive
   * limit starts. Default: adaptive from 8.
   */
  concurrency?: number;
  /**
   * The adaptive per-replica limit: cut by `decrease` per 429/503 episode, raised while a busy
   * replica's throughput still grows (default min 4, start `concurrency` or 8, max 512, decrease
   * 0.8, cooldownMs 15000). `false`: a fixed `concurrency`.
   */
  adaptive?: Loose<AdaptiveSettings> | false;
  /** How calls are spread over several base URLs, ejected and readmitted. */
  balance?: {
    strategy?: BalanceSettings["strategy"] | undefined;
    maxLoadFactor?: number | undefined;
    eject?: Loose<EjectSettings> | undefined;
    /** Probed from the server root before an ejected replica is readmitted (default `/health`). */
    healthPath?: string | undefined;
  };
  /**
   * Header carrying each call's routing key (the run item's id) to a router, so it keeps an item's
   * calls on one replica (default `x-smg-routing-key`, SGLang Model Gateway's; the vLLM
   * production-stack router takes the header named by its `--session-key`). `false`: none.
   */
  routingKeyHeader?: string | false;
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
  /** Name in the pool (default: `<model>@<baseURL>`, the first one). */
  id?: string;
  /** Replacement fetch (e.g. with a custom dispatcher). */
  fetch?: typeof fetch;
}

/** Optional fields that may also be given as undefined (as parsed configs have them). */
type Loose<T> = { [K in keyof T]?: T[K] | undefined };

/** Values used when an option is left out. */
export const optionDefaults = {
  timeoutMs: 120_000,
  maxRetries: 4,
  retryBaseMs: 500,
  maxBackoffMs: 20_000,
  maxRetryAfterMs: 60_000,
  concurrency: 8,
  maxTopLogprobs: 20,
  overloadTimeoutMs: 900_000,
  adaptive: { min: 4, max: 512, decrease: 0.8, cooldownMs: 15_000 },
  balance: { strategy: "affinity", maxLoadFactor: 1.25 } as BalanceSettings,
  eject: { failures: 3, cooldownMs: 10_000 } as EjectSettings,
  healthPath: "/health",
  routingKeyHeader: "x-smg-routing-key",
};

/** The base URLs, one or several. */
export function baseURLsOf(options: OpenAIModelOptions): string[] {
  return typeof options.baseURL === "string" ? [options.baseURL] : [...options.baseURL];
}

/** Replica settings with defaults filled in; `reset` when the options set limits explicitly. */
export function replicaSettingsOf(options: OpenAIModelOptions): {
  adaptive: AdaptiveSettings;
  eject: EjectSettings;
  balance: BalanceSettings;
  healthPath: string;
  reset: boolean;
} {
  const d = optionDefaults;
  const start = options.concurrency ?? d.concurrency;
  const adaptive: AdaptiveSettings =
    options.adaptive === false ||
    (options.adaptive === undefined && options.concurrency !== undefined)
      ? { ...d.adaptive, min: Math.min(d.adaptive.min, start), start, max: start }
      : { ...d.adaptive, start, ...defined(options.adaptive ?? {}) };
  const balance = options.balance ?? {};
  return {
    adaptive,
    eject: { ...d.eject, ...defined(balance.eject ?? {}) },
    balance: {
      strategy: balance.strategy ?? d.balance.strategy,
      maxLoadFactor: balance.maxLoadFactor ?? d.balance.maxLoadFactor,
    },
    healthPath: balance.healthPath ?? d.healthPath,
    reset: options.concurrency !== undefined || options.adaptive !== undefined,
  };
}

/** The fields that are set: a given `undefined` must not hide a default. */
function defined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}

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
  const urls = baseURLsOf(options);
  if (urls.length === 0) {
    throw new ConfigError("baseURL lists no URL; give one or more replicas' base URLs", "baseURL");
  }
  for (const baseURL of urls) checkBaseURL(baseURL);
  const seen = new Set(urls.map((u) => u.replace(/\/+$/, "")));
  if (seen.size < urls.length) {
    throw new ConfigError(`baseURL lists a URL twice: ${urls.join(", ")}`, "baseURL");
  }
  checkReplicaOptions(options);
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
    "overloadTimeoutMs",
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

function checkBaseURL(baseURL: string): void {
  let url: URL;
  try {
    url = new URL(baseURL);
  } catch {
    throw new ConfigError(
      `baseURL "${baseURL}" is not a URL; give e.g. http://127.0.0.1:8000/v1`,
      "baseURL",
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigError(
      `baseURL must start with http:// or https://, got "${baseURL}"; give e.g. ` +
        "http://127.0.0.1:8000/v1",
      "baseURL",
    );
  }
}

function checkReplicaOptions(options: OpenAIModelOptions): void {
  const { adaptive, balance, routingKeyHeader } = options;
  if (adaptive) {
    for (const field of ["min", "start", "max"] as const) {
      const value = adaptive[field];
      if (value !== undefined && !(Number.isInteger(value) && value >= 1)) {
        throw new ConfigError(
          `adaptive.${field} must be a positive integer, got ${value}`,
          `adaptive.${field}`,
        );
      }
    }
    const { decrease, cooldownMs } = adaptive;
    if (decrease !== undefined && !(decrease > 0 && decrease <= 1)) {
      throw new ConfigError(
        `adaptive.decrease must be in (0, 1], got ${decrease}`,
        "adaptive.decrease",
      );
    }
    if (cooldownMs !== undefined && !(cooldownMs >= 0)) {
      throw new ConfigError(
        `adaptive.cooldownMs must be >= 0, got ${cooldownMs}`,
        "adaptive.cooldownMs",
      );
    }
  }
  if (balance) {
    const strategies = ["affinity", "least-outstanding"];
    if (balance.strategy !== undefined && !strategies.includes(balance.strategy)) {
      throw new ConfigError(
        `balance.strategy must be "affinity" or "least-outstanding", got "${balance.strategy}"`,
        "balance.strategy",
      );
    }
    if (balance.maxLoadFactor !== undefined && !(balance.maxLoadFactor >= 1)) {
      throw new ConfigError(
        `balance.maxLoadFactor must be >= 1 (1 = strict fair share), got ${balance.maxLoadFactor}`,
        "balance.maxLoadFactor",
      );
    }
    const failures = balance.eject?.failures;
    if (failures !== undefined && !(Number.isInteger(failures) && failures >= 1)) {
      throw new ConfigError(
        `balance.eject.failures must be a positive integer, got ${failures}`,
        "balance.eject.failures",
      );
    }
    const cooldownMs = balance.eject?.cooldownMs;
    if (cooldownMs !== undefined && !(cooldownMs >= 0)) {
      throw new ConfigError(
        `balance.eject.cooldownMs must be >= 0, got ${cooldownMs}`,
        "balance.eject.cooldownMs",
      );
    }
    if (balance.healthPath !== undefined && !balance.healthPath.startsWith("/")) {
      throw new ConfigError(
        `balance.healthPath must start with "/", got "${balance.healthPath}"`,
        "balance.healthPath",
      );
    }
  }
  if (
    routingKeyHeader !== undefined &&
    routingKeyHeader !== false &&
    !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(routingKeyHeader)
  ) {
    throw new ConfigError(
      `routingKeyHeader must be an HTTP header name or false, got "${routingKeyHeader}"`,
      "routingKeyHeader",
    );
  }
}
