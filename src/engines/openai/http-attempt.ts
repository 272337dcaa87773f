import { ModelCallError, ModelTimeoutError } from "../../model/errors.ts";
import {
  isConnectionError,
  isDroppedConnection,
  isRetryableStatus,
  parseRetryAfter,
} from "./retry-policy.ts";
import { type SseEvent, SseParser } from "./sse-parser.ts";

/** A parsed JSON answer, how many retries it took and which replica gave it. */
export interface EndpointResponse {
  body: unknown;
  /** The raw text, for error messages about the body's shape. */
  text: string;
  retries: number;
  /** The answer was an event stream, delivered to `onEvent` (`body` is then undefined). */
  streamed?: boolean;
  /** The URL that answered (with several replicas, the one chosen). */
  url?: string;
}

/** What a request is for, so errors can say what was expected. */
export interface EndpointRequest {
  method: "GET" | "POST";
  /** Path under the base URL (`/chat/completions`), or from the server root when `fromRoot`. */
  path: string;
  fromRoot?: boolean;
  body?: unknown;
  /** e.g. "a chat completion object" — used in the malformed-JSON message. */
  expected: string;
  signal?: AbortSignal | undefined;
  /**
   * Ask for a Server-Sent Events answer and receive its events as they arrive. Retries happen only
   * before the stream's first byte; a stream cut later is an error, and `timeoutMs` then bounds the
   * wait for each piece rather than the whole answer. A server that answers plain JSON instead is
   * read as usual.
   */
  onEvent?: ((event: SseEvent) => void) | undefined;
}

/** How one attempt went wrong, when another attempt may do better. */
export type AttemptFailure = {
  error: ModelCallError;
  /**
   * overload: 429/503, the server asks for less (backpressure, bounded by time);
   * unreachable: refused or dropped connection, 502/504 (the replica, not the request, is at fault);
   * timeout: no answer within timeoutMs; server: 408/409/500 and other 5xx (a counted retry).
   */
  kind: "overload" | "unreachable" | "timeout" | "server";
  /** The connection was refused outright: nothing listens there. */
  refused?: boolean;
  /**
   * The connection closed or reset before any answer (not refused, not timed out): a stale
   * keep-alive socket looks like this, so one more try on a fresh connection is worth it.
   */
  dropped?: boolean;
  retryAfterMs?: number | undefined;
};

/** Settings of one attempt. */
export interface AttemptOptions {
  url: string;
  apiKey: string | undefined;
  timeoutMs: number;
  maxRetryAfterMs: number;
  fetch: typeof fetch;
  /** Extra request headers (the routing key). */
  headers?: Record<string, string>;
  /** Retries so far, carried into errors. */
  retries: number;
}

/** How late a timeout's timer must fire to count as this process's stall, not the server's. */
const lateTimerMs = 100;

/**
 * One HTTP attempt against one replica: a timeout per attempt, errors that carry the server's
 * words. Failures another attempt may cure come back classified; the rest are thrown.
 */
export async function attemptRequest(
  request: EndpointRequest,
  options: AttemptOptions,
): Promise<{ response: EndpointResponse } | AttemptFailure> {
  const { timeoutMs, apiKey, url, retries } = options;
  // A controller with a cleared timer, not AbortSignal.timeout/any: on Node 20 those keep a
  // live timer per call for the whole timeout and cost ~10x more per request.
  const controller = new AbortController();
  let timedOut = false;
  let dueAt = performance.now() + timeoutMs;
  let givenBack = 0;
  const onTimeout = () => {
    // A timer that fires late means this process stalled (a busy event loop, a GC pause) and
    // could not read what arrived meanwhile, maybe the answer itself, since timers run before
    // I/O. The server is given that time back (at most timeoutMs in all) rather than blamed.
    const now = performance.now();
    const late = Math.min(now - dueAt, timeoutMs - givenBack);
    if (late >= lateTimerMs) {
      givenBack += late;
      dueAt = now + late;
      timer = setTimeout(onTimeout, Math.ceil(late));
      return;
    }
    timedOut = true;
    controller.abort(new DOMException(`no answer within ${timeoutMs} ms`, "TimeoutError"));
  };
  let timer = setTimeout(onTimeout, timeoutMs);
  const forwardAbort = () => controller.abort(request.signal?.reason);
  request.signal?.addEventListener("abort", forwardAbort, { once: true });
  if (request.signal?.aborted) forwardAbort();
  const signal = controller.signal;
  const what = `${request.method} ${url}`;
  try {
    const headers: Record<string, string> = {
      accept: request.onEvent ? "text/event-stream" : "application/json",
      ...options.headers,
    };
    if (request.body !== undefined) headers["content-type"] = "application/json";
    if (apiKey) headers.authorization = `Bearer ${apiKey}`;
    let status: number;
    let text: string;
    let retryAfter: string | null;
    let stream: ReadableStream<Uint8Array> | undefined;
    try {
      const response = await options.fetch(url, {
        method: request.method,
        headers,
        signal,
        ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
      });
      status = response.status;
      retryAfter = response.headers.get("retry-after");
      const type = response.headers.get("content-type") ?? "";
      if (
        request.onEvent &&
        status >= 200 &&
        status < 300 &&
        type.includes("text/event-stream") &&
        response.body
      ) {
        stream = response.body;
        text = "";
      } else text = await response.text();
    } catch (error) {
      if (request.signal?.aborted) throw request.signal.reason;
      if (timedOut) {
        return {
          kind: "timeout",
          error: new ModelTimeoutError(
            `${what} did not answer within ${timeoutMs} ms; raise timeoutMs if the server is ` +
              "just slow, or check that it is not stuck",
            { url, retries },
          ),
        };
      }
      if (hasErrorCode(error, /^UND_ERR_(HEADERS|BODY)_TIMEOUT$/)) {
        throw new ModelTimeoutError(
          `${what} hit Node fetch's own 300 s limit before timeoutMs (${timeoutMs} ms); for ` +
            "longer calls pass a fetch whose undici dispatcher has longer headersTimeout/bodyTimeout",
          { url, retries },
        );
      }
      if (isConnectionError(error)) {
        const refused = hasErrorCode(error, /^ECONNREFUSED$/);
        const reason = describeConnectionError(error);
        return {
          kind: "unreachable",
          refused,
          dropped: !refused && isDroppedConnection(error),
          error: new ModelCallError(
            `${what} failed: ${reason}${refused ? "; is the server running?" : ""}`,
            { url, retries },
          ),
        };
      }
      throw new ModelCallError(`${what} failed: ${describeConnectionError(error)}`, {
        url,
        retries,
      });
    }
    if (stream && request.onEvent) {
      const restartTimer = () => {
        clearTimeout(timer);
        dueAt = performance.now() + timeoutMs;
        timer = setTimeout(onTimeout, timeoutMs);
      };
      const outcome = await readEventStream(stream, request.onEvent, restartTimer);
      if (outcome.error === undefined) {
        return { response: { body: undefined, text: "", retries, streamed: true, url } };
      }
      const { error, bytes, events } = outcome;
      if (request.signal?.aborted) throw request.signal.reason;
      if (bytes === 0 && !timedOut && isConnectionError(error)) {
        // Nothing of the stream arrived: as good as a dropped connection, so retry.
        return {
          kind: "unreachable",
          dropped: isDroppedConnection(error),
          error: new ModelCallError(
            `${what} failed: the stream closed before its first byte (${describeConnectionError(error)})`,
            { url, retries },
          ),
        };
      }
      const got = `${events} event${events === 1 ? "" : "s"} (${bytes} bytes)`;
      if (timedOut) {
        throw new ModelTimeoutError(
          `${what} stalled: its stream sent nothing for ${timeoutMs} ms after ${got}; raise ` +
            "timeoutMs if the server is just slow",
          { url, retries },
        );
      }
      throw new ModelCallError(
        `${what} failed: its stream was cut after ${got}: ${describeConnectionError(error)}; ` +
          "not retried, since part of the answer was already delivered",
        { url, retries },
      );
    }
    if (status < 200 || status >= 300) {
      const serverMessage = serverMessageOf(text);
      const error = new ModelCallError(
        `${what} failed with HTTP ${status}: ${serverMessage || "(empty body)"}`,
        { status, serverMessage, url, retries },
      );
      if (!isRetryableStatus(status)) throw error;
      return {
        error,
        kind: statusKind(status),
        retryAfterMs: parseRetryAfter(retryAfter, options.maxRetryAfterMs),
      };
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new ModelCallError(
        `${what} returned malformed JSON (expected ${request.expected}); first 200 chars: ` +
          JSON.stringify(text.slice(0, 200)),
        { status, url, retries },
      );
    }
    return { response: { body, text, retries, url } };
  } finally {
    clearTimeout(timer);
    request.signal?.removeEventListener("abort", forwardAbort);
  }
}

/**
 * 429 and 503 say "less, later" (vLLM's admission control, routers' queues, rate limits); 502 and
 * 504 say a gateway could not reach the engine behind it; other retryable statuses may be about
 * the request itself, so they are ordinary counted retries.
 */
function statusKind(status: number): AttemptFailure["kind"] {
  if (status === 429 || status === 503) return "overload";
  if (status === 502 || status === 504) return "unreachable";
  return "server";
}

/** The server's own explanation: OpenAI's `error.message`, vLLM/FastAPI variants, or the text. */
export function serverMessageOf(text: string): string {
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    const error = body.error;
    if (typeof error === "string") return error;
    if (error && typeof error === "object") {
      const message = (error as Record<string, unknown>).message;
      if (typeof message === "string") return message;
    }
    if (typeof body.message === "string") return body.message;
    if (typeof body.detail === "string") return body.detail;
    if (body.detail !== undefined) return JSON.stringify(body.detail).slice(0, 500);
  } catch {
    // not JSON: the body text itself is the message
  }
  return text.trim().slice(0, 500);
}

function hasErrorCode(error: unknown, pattern: RegExp): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 4; depth++) {
    const { code } = e as { code?: unknown };
    if (typeof code === "string" && pattern.test(code)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

function describeConnectionError(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error, depth = 0; e && depth < 4; depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    const part = [typeof code === "string" ? code : "", typeof message === "string" ? message : ""]
      .filter(Boolean)
      .join(" ");
    if (part && !parts.includes(part)) parts.push(part);
    e = (e as { cause?: unknown }).cause;
  }
  return parts.join(": ") || String(error);
}

/**
 * Reads an event stream to its end, passing each event on. Returns the error that ended it early
 * (a dropped connection, an abort) with how much had arrived; errors thrown by `onEvent` propagate.
 */
async function readEventStream(
  body: ReadableStream<Uint8Array>,
  onEvent: (event: SseEvent) => void,
  onProgress: () => void,
): Promise<{ error?: unknown; bytes: number; events: number }> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const parser = new SseParser();
  let bytes = 0;
  let events = 0;
  const deliver = (list: SseEvent[]) => {
    for (const event of list) {
      events++;
      onEvent(event);
    }
  };
  try {
    for (;;) {
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch (error) {
        return { error, bytes, events };
      }
      if (chunk.done) break;
      bytes += chunk.value.byteLength;
      onProgress();
      deliver(parser.push(decoder.decode(chunk.value, { stream: true })));
    }
    deliver(parser.push(decoder.decode()));
    deliver(parser.end());
    return { bytes, events };
  } finally {
    reader.cancel().catch(() => {});
  }
}
