/** How a failed HTTP attempt is retried: exponential backoff with full jitter, Retry-After honoured. */
export interface RetryPolicy {
  /** Retries after the first attempt (0 = try once). */
  maxRetries: number;
  /** First backoff ceiling in ms; doubles per retry. */
  baseMs: number;
  /** Ceiling for one backoff. */
  maxBackoffMs: number;
  /** Ceiling for a server's Retry-After, so a bad header cannot stall a run for hours. */
  maxRetryAfterMs: number;
}

/** Statuses worth another try: request timeout, conflict, rate limit, and server errors. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

const retryableCodes = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_CLOSED",
]);

/**
 * Whether a thrown fetch error is a dropped or refused connection (fetch wraps the socket error in
 * `cause`), as opposed to an abort or a bug.
 */
export function isConnectionError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 4; depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === "string" && retryableCodes.has(code)) return true;
    if (typeof message === "string" && /socket hang up|other side closed/i.test(message)) {
      return true;
    }
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

const droppedCodes = new Set(["ECONNRESET", "EPIPE", "UND_ERR_SOCKET", "UND_ERR_CLOSED"]);

/**
 * Whether a connection error is an open connection that closed under the request (reset, "other
 * side closed"), as a reused keep-alive socket does when the server timed it out, rather than a
 * connection that could not be made (refused, DNS, connect timeout).
 */
export function isDroppedConnection(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 4; depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === "string" && droppedCodes.has(code)) return true;
    if (typeof message === "string" && /socket hang up|other side closed/i.test(message)) {
      return true;
    }
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Milliseconds a `Retry-After` header asks for (delta seconds or an HTTP date), capped; undefined
 * when absent or unreadable.
 */
export function parseRetryAfter(
  header: string | null,
  capMs: number,
  now: number = Date.now(),
): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (text === "") return undefined;
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(text)) ms = Number(text) * 1000;
  else {
    const date = Date.parse(text);
    if (Number.isNaN(date)) return undefined;
    ms = date - now;
  }
  return Math.min(Math.max(ms, 0), capMs);
}

/** Full jitter: uniform in [0, min(max, base * 2^retry)), per the AWS backoff analysis. */
export function backoffMs(
  policy: RetryPolicy,
  retry: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxBackoffMs, policy.baseMs * 2 ** retry);
  return Math.floor(random() * ceiling);
}
