/** Bounds and pace of a replica's adaptive concurrency. */
export interface AdaptiveSettings {
  /** Never below this many requests in flight. */
  min: number;
  /** Where the limit starts. */
  start: number;
  /** Never above this. */
  max: number;
  /** Factor applied on an overload episode (429/503), e.g. 0.8. */
  decrease: number;
  /** One overload episode per this long (a burst of 429s is one signal); also the rest after a raise that did not pay. */
  cooldownMs: number;
}

/** A raise must buy at least this much more throughput to be kept. */
const minGain = 1.05;

/**
 * How many requests one replica gets at once. It is cut multiplicatively when the replica pushes
 * back (429/503), and raised only by probing: while the replica is kept busy, a window of `limit`
 * completions measures throughput; the limit is raised by a quarter, the next busy window measures
 * again, and the raise is undone (and probing rests for `cooldownMs`) unless throughput grew 5%.
 * Latency alone would mislead here: an LLM call's latency follows its output length, while a
 * server that only queues what it cannot run (vLLM without admission limits, a one-slot
 * llama.cpp server) shows no throughput gain, so the limit stays where the server saturates.
 */
export class AdaptiveLimit {
  #settings: AdaptiveSettings;
  #limit: number;
  #lastDecrease = Number.NEGATIVE_INFINITY;
  #restUntil = Number.NEGATIVE_INFINITY;
  #windowStart: number | undefined;
  #windowCount = 0;
  /** Set while a raise is on trial: the limit before it and the throughput it must beat. */
  #trial: { from: number; throughput: number } | undefined;

  constructor(settings: AdaptiveSettings) {
    this.#settings = checkSettings(settings);
    this.#limit = this.#settings.start;
  }

  get value(): number {
    return this.#limit;
  }

  get settings(): AdaptiveSettings {
    return this.#settings;
  }

  /** New bounds (an explicit `concurrency` on a later model); the limit restarts at `start`. */
  reset(settings: AdaptiveSettings): void {
    this.#settings = checkSettings(settings);
    this.#limit = this.#settings.start;
    this.#trial = undefined;
    this.#windowStart = undefined;
  }

  /**
   * A request finished well. `busy`: the replica had work waiting or every slot taken, so the
   * window measures what the replica can do, not how much work there was.
   */
  completed(now: number, busy: boolean): void {
    if (!busy) {
      this.#windowStart = undefined;
      return;
    }
    if (this.#windowStart === undefined) {
      this.#windowStart = now;
      this.#windowCount = 0;
      return;
    }
    this.#windowCount++;
    if (this.#windowCount < this.#limit) return;
    const throughput = this.#windowCount / Math.max(1, now - this.#windowStart);
    this.#windowStart = now;
    this.#windowCount = 0;
    const trial = this.#trial;
    if (trial) {
      this.#trial = undefined;
      if (throughput < trial.throughput * minGain) {
        this.#limit = trial.from;
        this.#restUntil = now + this.#settings.cooldownMs;
      }
      return;
    }
    const { max, cooldownMs } = this.#settings;
    if (this.#limit >= max || now < this.#restUntil || now < this.#lastDecrease + cooldownMs) {
      return;
    }
    this.#trial = { from: this.#limit, throughput };
    this.#limit = Math.min(max, this.#limit + Math.max(1, Math.ceil(this.#limit / 4)));
  }

  /** The replica pushed back: cut the limit, at most once per `cooldownMs`. */
  overloaded(now: number): void {
    this.#trial = undefined;
    this.#windowStart = undefined;
    if (now < this.#lastDecrease + this.#settings.cooldownMs) return;
    this.#lastDecrease = now;
    const { min, decrease } = this.#settings;
    this.#limit = Math.max(min, Math.floor(this.#limit * decrease));
  }
}

function checkSettings(settings: AdaptiveSettings): AdaptiveSettings {
  const { min, start, max, decrease, cooldownMs } = settings;
  for (const [name, value] of Object.entries({ min, start, max })) {
    if (!Number.isInteger(value) || value < 1) {
      throw new RangeError(`adaptive.${name} must be a positive integer, got ${value}`);
    }
  }
  if (!(decrease > 0 && decrease <= 1)) {
    throw new RangeError(`adaptive.decrease must be in (0, 1], got ${decrease}`);
  }
  if (!(cooldownMs >= 0)) {
    throw new RangeError(`adaptive.cooldownMs must be >= 0, got ${cooldownMs}`);
  }
  const low = Math.min(min, max);
  return { min: low, start: Math.min(max, Math.max(low, start)), max, decrease, cooldownMs };
}
