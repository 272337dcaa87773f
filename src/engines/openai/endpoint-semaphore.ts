/**
 * A counting semaphore with a limit that can change while permits are held, so every model that
 * talks to the same server shares one cap on requests in flight.
 */
export class Semaphore {
  #limit: number;
  #active = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(limit: number) {
    this.#limit = checkLimit(limit);
  }

  get limit(): number {
    return this.#limit;
  }

  set limit(value: number) {
    this.#limit = checkLimit(value);
    this.#drain();
  }

  /** Requests holding a permit right now. */
  get active(): number {
    return this.#active;
  }

  /**
   * Waits for a permit; the returned function gives it back (calling it twice is harmless).
   * Rejects with the signal's reason if the signal aborts while waiting.
   */
  acquire(signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted();
    return new Promise((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener("abort", onAbort);
        this.#active += 1;
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          this.#active -= 1;
          this.#drain();
        });
      };
      const onAbort = () => {
        const index = this.#waiting.indexOf(grant);
        if (index >= 0) this.#waiting.splice(index, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiting.push(grant);
      this.#drain();
    });
  }

  #drain(): void {
    while (this.#active < this.#limit && this.#waiting.length > 0) this.#waiting.shift()?.();
  }
}

function checkLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(`concurrency must be a positive integer, got ${limit}`);
  }
  return limit;
}

const byEndpoint = new Map<string, Semaphore>();

/**
 * The semaphore shared by every model with this base URL. An explicit `limit` (re)sets the cap for
 * all of them; without one, the first model's default stays.
 */
export function endpointSemaphore(baseURL: string, limit: number | undefined, fallback: number) {
  const key = baseURL.replace(/\/+$/, "");
  let semaphore = byEndpoint.get(key);
  if (!semaphore) {
    semaphore = new Semaphore(limit ?? fallback);
    byEndpoint.set(key, semaphore);
  } else if (limit !== undefined) {
    semaphore.limit = limit;
  }
  return semaphore;
}
