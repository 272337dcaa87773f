/**
 * Helpers for tests of one model over several local replicas: a fetch that logs every attempt
 * (which replica, when, how it ended) and a runner of items with bounded concurrency.
 */

/** One HTTP attempt the client made. */
export interface LoggedAttempt {
  origin: string;
  path: string;
  method: string;
  /** The routing key header it carried. */
  key: string | undefined;
  /** performance.now() when it was sent and when it ended. */
  sent: number;
  ended: number;
  /** HTTP status, or the error code (ECONNREFUSED...) when no answer came. */
  outcome: number | string;
}

/** A fetch that forwards to the global one and records each attempt in `log`. */
export function loggingFetch(log: LoggedAttempt[]): typeof fetch {
  return async (input, init) => {
    const url = new URL(String(input));
    const entry: LoggedAttempt = {
      origin: url.origin,
      path: url.pathname,
      method: init?.method ?? "GET",
      key: (init?.headers as Record<string, string> | undefined)?.["x-smg-routing-key"],
      sent: performance.now(),
      ended: Number.NaN,
      outcome: "pending",
    };
    log.push(entry);
    try {
      const response = await fetch(input, init);
      entry.outcome = response.status;
      return response;
    } catch (error) {
      entry.outcome = errorCode(error);
      throw error;
    } finally {
      entry.ended = performance.now();
    }
  };
}

function errorCode(error: unknown): string {
  for (let e: unknown = error, depth = 0; e && depth < 4; depth++) {
    const { code } = e as { code?: unknown };
    if (typeof code === "string") return code;
    e = (e as { cause?: unknown }).cause;
  }
  return (error as Error)?.name ?? "error";
}

/** Runs `fn` over `ids`, `concurrency` at a time; returns each id's outcome. */
export async function runAll<R>(
  ids: readonly string[],
  concurrency: number,
  fn: (id: string, index: number) => Promise<R>,
): Promise<Map<string, { ok: true; value: R } | { ok: false; error: unknown }>> {
  const outcomes = new Map<string, { ok: true; value: R } | { ok: false; error: unknown }>();
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const index = next++;
      const id = ids[index]!;
      try {
        outcomes.set(id, { ok: true, value: await fn(id, index) });
      } catch (error) {
        outcomes.set(id, { ok: false, error });
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return outcomes;
}

/**
 * Runs items `item-0`, `item-1`, ... through `fn`, `concurrency` at a time, starting new ones
 * until `stop()` says so (time-driven phases); returns each item's outcome.
 */
export async function runUntil<R>(
  stop: () => boolean,
  concurrency: number,
  fn: (id: string, index: number) => Promise<R>,
): Promise<Map<string, { ok: true; value: R } | { ok: false; error: unknown }>> {
  const outcomes = new Map<string, { ok: true; value: R } | { ok: false; error: unknown }>();
  let next = 0;
  const worker = async () => {
    while (!stop()) {
      const index = next++;
      const id = `item-${index}`;
      try {
        outcomes.set(id, { ok: true, value: await fn(id, index) });
      } catch (error) {
        outcomes.set(id, { ok: false, error });
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return outcomes;
}
