/**
 * Orders calls around swaps of a model's configuration (its LoRA adapters). Each call joins the
 * epoch that is current when it starts, synchronously, so whatever the caller read just before
 * (the cache identity) describes the configuration the call runs with. `swap` opens a new epoch at
 * once; its `apply` runs after every call of the earlier epochs has ended, and calls of the new
 * epoch start only after `apply`. So a swap never changes a running call, and no call runs half
 * on the old configuration and half on the new one.
 */
export class SwapGate {
  private epoch = 0;
  /** Settles when the current epoch's configuration is applied. */
  private ready: Promise<void> = Promise.resolve();
  private readonly running = new Map<number, number>();
  private readonly drainWaiters = new Map<number, () => void>();

  /** Runs `task` in the current epoch (joined before the first await). */
  async run<T>(task: () => Promise<T>): Promise<T> {
    const epoch = this.epoch;
    const ready = this.ready;
    this.running.set(epoch, (this.running.get(epoch) ?? 0) + 1);
    try {
      await ready;
      return await task();
    } finally {
      const left = this.running.get(epoch)! - 1;
      if (left > 0) this.running.set(epoch, left);
      else {
        this.running.delete(epoch);
        this.drainWaiters.get(epoch)?.();
      }
    }
  }

  /**
   * Starts a new epoch now and applies its configuration once the calls of the previous epochs
   * have ended. Settles when applied; a failed `apply` fails the calls waiting for it too.
   */
  swap(apply: () => Promise<void>): Promise<void> {
    const previous = this.epoch;
    const previousReady = this.ready;
    this.epoch = previous + 1;
    this.ready = (async () => {
      // Calls of the previous epoch wait for its apply, so that comes first, then they drain.
      await previousReady.catch(() => undefined);
      await this.drained(previous);
      await apply();
    })();
    return this.ready;
  }

  /** Calls that have started and not ended (any epoch). */
  get inFlight(): number {
    let sum = 0;
    for (const n of this.running.values()) sum += n;
    return sum;
  }

  private drained(epoch: number): Promise<void> {
    if (!this.running.has(epoch)) return Promise.resolve();
    return new Promise((resolve) =>
      this.drainWaiters.set(epoch, () => {
        this.drainWaiters.delete(epoch);
        resolve();
      }),
    );
  }
}
