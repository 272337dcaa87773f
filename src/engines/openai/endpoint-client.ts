import {
  type AttemptFailure,
  attemptRequest,
  type EndpointRequest,
  type EndpointResponse,
} from "./http-attempt.ts";
import type { Replica } from "./replica.ts";
import type { ReplicaGroup } from "./replica-group.ts";
import { backoffMs, type RetryPolicy } from "./retry-policy.ts";

export type { EndpointRequest, EndpointResponse } from "./http-attempt.ts";

/** Settings for the replicas of one model. */
export interface EndpointClientOptions {
  group: ReplicaGroup;
  apiKey: string | undefined;
  timeoutMs: number;
  retry: RetryPolicy;
  /**
   * How long 429/503 backpressure may hold one call before it fails (not a retry count), and how
   * long, in all, it may wait for an ejected replica's readmission once the others failed it.
   */
  overloadTimeoutMs: number;
  /** Header that carries the routing key to a router (e.g. `x-smg-routing-key`); none when unset. */
  routingKeyHeader: string | undefined;
  /** Calls with one key go to one replica and carry it in `routingKeyHeader`. */
  routingKey?: string | undefined;
  fetch: typeof fetch;
}

/**
 * JSON over HTTP to an OpenAI-compatible server or a group of replicas of one. Per call: a slot
 * on the replica its routing key points to; a dropped connection is tried once more there; a
 * refused connection, a second drop, a timeout or a 502/504 moves the call to a replica it has not
 * tried (no retry counted, and the replica is ejected after a streak, at once when refused); once
 * every replica in rotation failed it, it waits for an ejected one to pass a health probe (probed
 * at once), bounded by `overloadTimeoutMs`. 429/503 pause the replica for its Retry-After and move
 * the call on, bounded by `overloadTimeoutMs`; other 5xx, and failures with no replica left to
 * try, are retries with backoff, at most `retry.maxRetries`. With one base URL this is a client of
 * one server.
 */
export class EndpointClient {
  readonly #options: EndpointClientOptions;

  constructor(options: EndpointClientOptions) {
    this.#options = options;
  }

  /** The same client, for calls of one item or dialogue (`undefined`: no key). */
  forKey(routingKey: string | undefined): EndpointClient {
    return new EndpointClient({ ...this.#options, routingKey });
  }

  /**
   * Full URL of a path under the (first) base URL, or from the server root where /tokenize lives;
   * for messages. Answers carry the URL of the replica that gave them.
   */
  url(path: string, fromRoot = false): string {
    return urlOf(this.#options.group.replicas[0]!.baseURL, path, fromRoot);
  }

  /** Sends one request, failing over and retrying as above; throws ModelCallError/ModelTimeoutError. */
  async request(request: EndpointRequest): Promise<EndpointResponse> {
    const { group, retry, routingKey, routingKeyHeader } = this.#options;
    const headers =
      routingKey !== undefined && routingKeyHeader ? { [routingKeyHeader]: routingKey } : undefined;
    const tried = new Set<Replica>();
    let attempts = 0;
    let retries = 0;
    let overloadedSince: number | undefined;
    let waitedForReadmission = 0;
    for (;;) {
      const replica = await group.acquire(routingKey, tried, request.signal);
      const attempt = () =>
        attemptRequest(request, {
          url: urlOf(replica.baseURL, request.path, request.fromRoot),
          apiKey: this.#options.apiKey,
          timeoutMs: this.#options.timeoutMs,
          maxRetryAfterMs: retry.maxRetryAfterMs,
          fetch: this.#options.fetch,
          retries: attempts,
          ...(headers ? { headers } : {}),
        });
      let outcome: Awaited<ReturnType<typeof attemptRequest>>;
      try {
        outcome = await attempt();
        if ("dropped" in outcome && outcome.dropped) {
          // Most drops are a keep-alive socket the server closed just as the request went out
          // (its idle timeout raced our reuse, e.g. after an event-loop stall): the replica is
          // fine and a fresh connection reaches it. So once more on the same replica, in the
          // same slot, before it counts as the replica's failure; a replica that is really gone
          // refuses that connection and the call fails over at once.
          attempts += 1;
          outcome = await attempt();
        }
      } catch (error) {
        replica.release();
        throw error;
      }
      const now = performance.now();
      if ("response" in outcome) {
        replica.succeeded(now);
        replica.release();
        return { ...outcome.response, retries: attempts };
      }
      replica.release();
      attempts += 1;
      const failure: AttemptFailure = outcome;
      if (failure.kind === "overload") {
        overloadedSince ??= now;
        const pauseMs =
          failure.retryAfterMs ?? Math.max(1, backoffMs(retry, replica.overloadStreak));
        const waited = now - overloadedSince;
        if (waited + pauseMs > this.#options.overloadTimeoutMs) {
          failure.error.message +=
            ` (gave up after ${Math.round(waited)} ms of backpressure; overloadTimeoutMs is ` +
            `${this.#options.overloadTimeoutMs})`;
          throw failure.error;
        }
        replica.overloaded(now, pauseMs);
        continue;
      }
      overloadedSince = undefined;
      tried.add(replica);
      if (failure.kind !== "server") {
        replica.failed(now, failure.refused === true);
        if (group.hasAlternative(tried)) continue;
        // Every replica in rotation failed this call, but ejected ones never saw it and may be
        // fine: wait for one to pass a health probe, bounded by time like backpressure.
        const since = performance.now();
        const budget = this.#options.overloadTimeoutMs - waitedForReadmission;
        const wait = await group.awaitReadmission(tried, budget, request.signal);
        waitedForReadmission += performance.now() - since;
        if (wait === "readmitted") continue;
        if (wait === "out-of-time" && this.#options.overloadTimeoutMs > 0) {
          failure.error.message +=
            ` (no other replica passed a health probe within ${Math.round(waitedForReadmission)} ms; ` +
            `overloadTimeoutMs is ${this.#options.overloadTimeoutMs})`;
        }
        // No replica left that has not failed this call; a timeout is not worth waiting out again.
        if (failure.kind === "timeout") throw failure.error;
      }
      if (retries >= retry.maxRetries) {
        if (retries > 0) {
          failure.error.message += ` (gave up after ${retries} ${retries === 1 ? "retry" : "retries"})`;
        }
        throw failure.error;
      }
      if (!group.hasAlternative(tried)) tried.clear();
      await sleep(failure.retryAfterMs ?? backoffMs(retry, retries), request.signal);
      retries += 1;
    }
  }
}

function urlOf(baseURL: string, path: string, fromRoot = false): string {
  const base = baseURL.replace(/\/+$/, "");
  return (fromRoot ? base.replace(/\/v\d+$/, "") : base) + path;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
