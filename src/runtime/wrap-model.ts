import { BatchPendingError, ModelCallError } from "../model/errors.ts";
import type { Internals, InternalsGenerateRequest } from "../model/internals.ts";
import type {
  GenerateRequest,
  GenerateResult,
  LanguageModel,
  ScoreRequest,
  ScoreResult,
  Usage,
} from "../model/language-model.ts";
import type { ActiveLora } from "../model/lora.ts";
import { CallCache } from "./call-cache.ts";
import type { CallEvent } from "./call-event.ts";
import type { SamplingDefaults } from "./config.ts";
import { logCall } from "./held-calls.ts";
import { currentItemId } from "./item-context.ts";
import type { RunStats } from "./run-stats.ts";
import type { TokenBudget } from "./token-budget.ts";

/** What a wrapped model does around each call of the inner one. */
export interface WrapModelOptions {
  /** Name in events (the pool name); defaults to the inner model's id. */
  name?: string;
  /**
   * What the cache keys on besides the request: something naming the weights (GGUF sha256 plus
   * adapters, or baseURL + server model). Defaults to `<provider>:<id>`. The LoRA adapters the
   * inner model reports serving (`lora`, swappable with `setLora`) are appended per call.
   */
  cacheIdentity?: string;
  cache?: CallCache;
  /** Cache sampled calls too (by default only temperature 0 or seeded calls are cached). */
  cacheAll?: boolean;
  /**
   * Cache score calls (default true). false sends them straight to the model: a score with top
   * logprobs at every position is ~100 KB, against ~0.3 KB for a short generation, so a run that
   * keeps its cache for resuming may want only its (far slower) generations.
   */
  cacheScores?: boolean;
  /** Filled into requests that leave them unset. */
  defaults?: SamplingDefaults;
  budget?: TokenBudget;
  stats?: RunStats;
  /** Receives one event per call (the run's events.jsonl). */
  onCall?: (event: CallEvent) => void;
  /** `close()` on the wrapper closes the inner model (default true; a pool keeps ownership). */
  closeInner?: boolean;
}

/** A request is reproducible when sampling is greedy or seeded. */
export function isDeterministic(request: { temperature?: number; seed?: number }): boolean {
  return request.temperature === 0 || request.seed !== undefined;
}

/**
 * Wraps a model so every call goes through sampling defaults -> budget check -> cache -> the
 * inner model -> event log and counters. The wrapper keeps the inner model's capabilities,
 * decoder and internals, so capability checks and white-box methods see no difference.
 * @example
 * const model = wrapModel(inner, { cache, budget, stats, onCall: (e) => run.appendEvent(e) });
 */
export function wrapModel(inner: LanguageModel, options: WrapModelOptions = {}): LanguageModel {
  const name = options.name ?? inner.id;
  const baseIdentity = options.cacheIdentity ?? `${inner.provider}:${inner.id}`;
  // Read when the call starts: the engine runs it with the adapters it reports at that moment.
  const identity = (): string => baseIdentity + loraIdentity(inner.lora);
  const inFlight = new Map<string, Promise<unknown>>();

  const emit = (
    kind: CallEvent["kind"],
    fields: { usage?: Usage; latencyMs: number; cached: boolean; retries: number; error?: string },
  ) => {
    const item = currentItemId();
    const event: CallEvent = {
      time: new Date().toISOString(),
      model: name,
      provider: inner.provider,
      kind,
      ...(item !== undefined ? { item } : {}),
      inputTokens: fields.usage?.inputTokens ?? 0,
      outputTokens: fields.usage?.outputTokens ?? 0,
      latencyMs: Math.round(fields.latencyMs * 100) / 100,
      cached: fields.cached,
      retries: fields.retries,
      ...(fields.error !== undefined ? { error: fields.error } : {}),
    };
    logCall(() => {
      const { stats } = options;
      if (stats) {
        stats.calls++;
        if (fields.cached) stats.cacheHits++;
        stats.retries += fields.retries;
        if (fields.error !== undefined) stats.callErrors++;
        if (fields.usage && !fields.cached) {
          stats.inputTokens += fields.usage.inputTokens;
          stats.outputTokens += fields.usage.outputTokens;
        }
      }
      options.onCall?.(event);
    });
  };

  /** Calls the inner model with budget, events and counters, no cache. */
  const callInner = async <R extends { usage: Usage; meta?: GenerateResult["meta"] }>(
    kind: CallEvent["kind"],
    call: () => Promise<R>,
  ): Promise<R> => {
    options.budget?.check();
    const started = performance.now();
    let result: R;
    try {
      result = await call();
    } catch (error) {
      // not a call yet: it went into an offline batch, and its answer is logged when it is used
      // (by the round that finishes the item: see held-calls.ts)
      if (error instanceof BatchPendingError) throw error;
      const retries = error instanceof ModelCallError ? (error.details.retries ?? 0) : 0;
      emit(kind, {
        latencyMs: performance.now() - started,
        cached: false,
        retries,
        error: error instanceof Error ? error.message : String(error),
      });
      throw error;
    }
    options.budget?.spend(result.usage.inputTokens + result.usage.outputTokens);
    emit(kind, {
      usage: result.usage,
      latencyMs: performance.now() - started,
      cached: false,
      retries: result.meta?.retries ?? 0,
    });
    return result;
  };

  /** Cache lookup around `callInner`; identical concurrent calls share one inner call. */
  const cached = async <R extends { usage: Usage; meta?: GenerateResult["meta"] }>(
    kind: "generate" | "score",
    request: object,
    call: () => Promise<R>,
  ): Promise<R> => {
    const { cache } = options;
    if (!cache) return callInner(kind, call);
    const modelId = identity();
    const key = CallCache.key({ kind, provider: inner.provider, modelId, request });
    const started = performance.now();
    const hit = cache.get<R>(key);
    if (hit !== undefined) {
      const latencyMs = performance.now() - started;
      emit(kind, { usage: hit.usage, latencyMs, cached: true, retries: 0 });
      return { ...hit, meta: { cached: true, retries: 0, latencyMs } };
    }
    const pending = inFlight.get(key) as Promise<R> | undefined;
    if (pending) {
      const shared = await pending;
      emit(kind, {
        usage: shared.usage,
        latencyMs: performance.now() - started,
        cached: true,
        retries: 0,
      });
      return {
        ...shared,
        meta: { cached: true, retries: 0, latencyMs: performance.now() - started },
      };
    }
    const promise = callInner(kind, call).then((result) => {
      const { meta: _meta, ...value } = result;
      cache.set(key, { kind, provider: inner.provider, modelId }, value);
      return result;
    });
    inFlight.set(key, promise);
    try {
      return await promise;
    } finally {
      inFlight.delete(key);
    }
  };

  const withDefaults = <T extends GenerateRequest>(request: T): T => {
    const defaults = options.defaults;
    if (!defaults) return request;
    const out = { ...request };
    for (const key of ["temperature", "topP", "topK", "maxTokens", "seed"] as const) {
      const value = defaults[key];
      if (out[key] === undefined && value !== undefined) out[key] = value;
    }
    return out;
  };

  const generate = (request: GenerateRequest): Promise<GenerateResult> => {
    const full = withRoutingKey(withDefaults(request));
    const call = () => inner.generate(full);
    if (!options.cache || !(options.cacheAll || isDeterministic(full)))
      return callInner("generate", call);
    const { signal: _signal, routingKey: _routingKey, ...keyed } = full;
    return cached("generate", keyed, call);
  };

  const wrapped: LanguageModel = {
    id: inner.id,
    provider: inner.provider,
    capabilities: inner.capabilities,
    generate,
    async close() {
      if (options.closeInner !== false) await inner.close?.();
    },
  };

  if (inner.setLora) {
    const setLora = inner.setLora.bind(inner);
    Object.defineProperty(wrapped, "lora", { get: () => inner.lora, enumerable: true });
    (wrapped as { setLora?: LanguageModel["setLora"] }).setLora = setLora;
  }

  const innerScore = inner.score?.bind(inner);
  if (innerScore) {
    // Scoring is teacher-forced, hence always deterministic and always cacheable.
    (wrapped as { score?: LanguageModel["score"] }).score = (
      request: ScoreRequest,
    ): Promise<ScoreResult> => {
      const full = withRoutingKey(request);
      const { signal: _signal, routingKey: _routingKey, ...keyed } = full;
      if (options.cacheScores === false) return callInner("score", () => innerScore(full));
      return cached("score", keyed, () => innerScore(full));
    };
  }
  if (inner.tokenize)
    (wrapped as { tokenize?: LanguageModel["tokenize"] }).tokenize = inner.tokenize.bind(inner);
  const innerPromptLogprobs = inner.promptLogprobs?.bind(inner);
  if (innerPromptLogprobs) {
    // Teacher-forced like score: counted, never cached (results carry the whole prompt).
    (wrapped as { promptLogprobs?: LanguageModel["promptLogprobs"] }).promptLogprobs = (request) =>
      callInner("score", () => innerPromptLogprobs(request));
  }
  if (inner.decoder)
    (wrapped as { decoder?: LanguageModel["decoder"] }).decoder = inner.decoder.bind(inner);
  const internals = inner.internals;
  if (internals) {
    const wrappedInternals: Internals = {
      nLayers: internals.nLayers,
      nEmbd: internals.nEmbd,
      captureHidden: internals.captureHidden.bind(internals),
      logits: internals.logits.bind(internals),
      continuationLogits: internals.continuationLogits.bind(internals),
      // Interventions are functions, so these calls are never cached; they are still counted.
      generate: (request: InternalsGenerateRequest) => {
        const full = withDefaults(request);
        return callInner("internals.generate", () => internals.generate(full));
      },
    };
    (wrapped as { internals?: Internals }).internals = wrappedInternals;
  }
  return wrapped;
}

/**
 * The request with the run item's id as its routing key when it has none, so an engine with
 * replicas keeps an item's calls on one of them.
 */
function withRoutingKey<T extends { routingKey?: string }>(request: T): T {
  if (request.routingKey !== undefined) return request;
  const item = currentItemId();
  return item === undefined ? request : { ...request, routingKey: item };
}

/** The cache identity's adapter part, `+lora:<sha256>@<scale>` per adapter (none: ""). */
export function loraIdentity(lora: readonly ActiveLora[] | undefined): string {
  return (lora ?? []).map((a) => `+lora:${a.sha256}@${a.scale}`).join("");
}
