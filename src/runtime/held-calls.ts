import { AsyncLocalStorage } from "node:async_hooks";
import { BatchPendingError } from "../model/errors.ts";

/**
 * Offline batch rounds run an unfinished item again in every round: the calls answered so far
 * come back from the imported batch answers until one is still pending, which defers the item to
 * the next round. Logging those answers as they come back would log each call once per round it
 * is replayed in; so under `holdingCalls` a call's event (and its counters) waits for the work to
 * end, and is dropped when the work is deferred: the round that finishes it logs the same calls.
 */
const held = new AsyncLocalStorage<(() => void)[]>();

/**
 * Runs `fn` with the logging of its model calls held until it ends: done when it returns or
 * fails (the calls were made), dropped when it throws BatchPendingError.
 */
export async function holdingCalls<T>(fn: () => Promise<T>): Promise<T> {
  const calls: (() => void)[] = [];
  let deferred = false;
  try {
    return await held.run(calls, fn);
  } catch (error) {
    deferred = error instanceof BatchPendingError;
    throw error;
  } finally {
    if (!deferred) for (const log of calls) log();
  }
}

/** Logs a call now, or when the enclosing `holdingCalls` ends. */
export function logCall(log: () => void): void {
  const calls = held.getStore();
  if (calls) calls.push(log);
  else log();
}
