import { AdaptiveLimit, type AdaptiveSettings } from "./adaptive-limit.ts";

/** When a replica is taken out of rotation and how it comes back. */
export interface EjectSettings {
  /** Consecutive failures (dropped connections, timeouts, 502/504) that eject it; a refused connection ejects at once. */
  failures: number;
  /** Time out of rotation before a `/health` probe may readmit it. */
  cooldownMs: number;
}

/** Someone waiting for a slot on a replica. */
export interface ReplicaWaiter {
  /** A slot on `replica` is now held by this waiter. */
  grant(replica: Replica): void;
  /** The replica stopped taking work (paused or ejected) while this waited: choose again. */
  reroute(): void;
}

/**
 * One server of a replica group, shared by every model that uses its base URL: its adaptive limit
 * on requests in flight, the queue of calls waiting for it, and whether it takes work now.
 * Backpressure pauses it until its Retry-After; failures eject it until a health probe passes.
 * Either way the calls queued on it leave to be placed elsewhere. Times are `performance.now()`.
 */
export class Replica {
  readonly baseURL: string;
  readonly limit: AdaptiveLimit;
  eject: EjectSettings;
  #active = 0;
  readonly #queue: ReplicaWaiter[] = [];
  #pausedUntil = 0;
  #wakeTimer: ReturnType<typeof setTimeout> | undefined;
  #ejected = false;
  #failures = 0;
  #overloads = 0;
  #nextProbeAt = 0;
  #probing: Promise<void> | undefined;
  readonly #listeners = new Set<() => void>();

  constructor(baseURL: string, adaptive: AdaptiveSettings, eject: EjectSettings) {
    this.baseURL = baseURL;
    this.limit = new AdaptiveLimit(adaptive);
    this.eject = eject;
  }

  /** Requests holding a slot now. */
  get active(): number {
    return this.#active;
  }

  /** Slots held plus calls queued: what bounded-load placement weighs. */
  get load(): number {
    return this.#active + this.#queue.length;
  }

  get ejected(): boolean {
    return this.#ejected;
  }

  get pausedUntil(): number {
    return this.#pausedUntil;
  }

  /** Overload answers since the last success, for backoff when no Retry-After came. */
  get overloadStreak(): number {
    return this.#overloads;
  }

  /** Called whenever the replica takes work again (a pause ended, a probe readmitted it). */
  onAvailable(listener: () => void): void {
    this.#listeners.add(listener);
  }

  enqueue(waiter: ReplicaWaiter): void {
    this.#queue.push(waiter);
    this.#drain();
  }

  /** Takes a waiter out of the queue (its caller gave up); false when it was not queued here. */
  remove(waiter: ReplicaWaiter): boolean {
    const index = this.#queue.indexOf(waiter);
    if (index < 0) return false;
    this.#queue.splice(index, 1);
    return true;
  }

  /** Gives a slot back. */
  release(): void {
    this.#active -= 1;
    this.#drain();
  }

  /** A call it answered went well: failures forgiven, and the adaptive limit hears of it. */
  succeeded(now: number): void {
    this.#failures = 0;
    this.#overloads = 0;
    const busy = this.#queue.length > 0 || this.#active >= this.limit.value;
    this.limit.completed(now, busy);
    // An answer from an ejected replica (a call sent before it was ejected, or while every
    // replica was out and calls went to all of them) is as good as a probe.
    if (this.#ejected) this.#readmit();
    this.#drain();
  }

  /** It answered 429/503: fewer slots, no new work until `pauseMs` from now. */
  overloaded(now: number, pauseMs: number): void {
    this.#overloads += 1;
    this.limit.overloaded(now);
    const until = now + Math.max(0, pauseMs);
    if (until <= this.#pausedUntil) return;
    this.#pausedUntil = until;
    clearTimeout(this.#wakeTimer);
    this.#wakeTimer = setTimeout(() => this.#notify(), Math.ceil(until - now) + 1);
    // Only wakes waiters that are parked anyway, so it need not keep the process alive.
    this.#wakeTimer.unref?.();
    this.#rerouteQueue();
  }

  /** A call failed for reasons of the replica's own (not the request's). */
  failed(now: number, refused: boolean): void {
    this.#failures += 1;
    if (this.#ejected) return;
    if (refused || this.#failures >= this.eject.failures) {
      this.#ejected = true;
      this.#nextProbeAt = now + this.eject.cooldownMs;
      this.#rerouteQueue();
    }
  }

  /** Whether a health probe is due: ejected, cooled down, none running. */
  probeDue(now: number): boolean {
    return this.#ejected && !this.#probing && now >= this.#nextProbeAt;
  }

  /** When the cooldown since its ejection or last failed probe ends. */
  get nextProbeAt(): number {
    return this.#nextProbeAt;
  }

  /**
   * Runs `check` once, cooldown or not; a pass readmits the replica, a failure restarts the
   * cooldown. While a probe runs, another call joins it rather than asking the server twice.
   */
  probe(check: () => Promise<boolean>): Promise<void> {
    this.#probing ??= this.#runProbe(check).finally(() => {
      this.#probing = undefined;
    });
    return this.#probing;
  }

  async #runProbe(check: () => Promise<boolean>): Promise<void> {
    let healthy = false;
    try {
      healthy = await check();
    } catch {
      healthy = false;
    }
    if (!this.#ejected) return;
    if (healthy) this.#readmit();
    else this.#nextProbeAt = performance.now() + this.eject.cooldownMs;
  }

  #readmit(): void {
    this.#ejected = false;
    this.#failures = 0;
    this.#notify();
  }

  #notify(): void {
    this.#drain();
    for (const listener of this.#listeners) listener();
  }

  #rerouteQueue(): void {
    const waiting = this.#queue.splice(0);
    for (const waiter of waiting) waiter.reroute();
  }

  #drain(): void {
    while (this.#active < this.limit.value && this.#queue.length > 0) {
      const waiter = this.#queue.shift()!;
      this.#active += 1;
      waiter.grant(this);
    }
  }
}

const byBaseURL = new Map<string, Replica>();

/**
 * The replica for a base URL, shared by every model that names it, so their calls share one
 * limit and one view of its health. `reset` (an explicit concurrency setting) gives an existing
 * replica new limits; without it the first model's settings stay.
 */
export function replicaFor(
  baseURL: string,
  adaptive: AdaptiveSettings,
  eject: EjectSettings,
  reset: boolean,
): Replica {
  const key = baseURL.replace(/\/+$/, "");
  let replica = byBaseURL.get(key);
  if (!replica) {
    replica = new Replica(key, adaptive, eject);
    byBaseURL.set(key, replica);
  } else if (reset) {
    replica.limit.reset(adaptive);
    replica.eject = eject;
  }
  return replica;
}
