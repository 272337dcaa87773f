/**
 * A small async pool: hands out up to `max` resources created on demand, queues the rest of the
 * callers, and reuses released resources (so contexts and their KV caches are built once).
 */
export class ResourcePool<T> {
  private readonly idle: T[] = [];
  private readonly all: T[] = [];
  private readonly waiting: ((resource: T) => void)[] = [];
  private creating = 0;
  private closed = false;

  constructor(
    private readonly create: () => Promise<T>,
    private readonly destroy: (resource: T) => Promise<void>,
    readonly max: number,
  ) {}

  /** Runs `task` with a resource, releasing it afterwards even on failure. */
  async use<R>(task: (resource: T) => Promise<R>): Promise<R> {
    const resource = await this.acquire();
    try {
      return await task(resource);
    } finally {
      this.release(resource);
    }
  }

  /** Every resource created so far, in use or idle. */
  get resources(): readonly T[] {
    return this.all;
  }

  /** The resources nobody holds now. */
  get idleResources(): readonly T[] {
    return this.idle;
  }

  private async acquire(): Promise<T> {
    if (this.closed) throw new Error("the model is closed");
    const ready = this.idle.pop();
    if (ready !== undefined) return ready;
    if (this.all.length + this.creating < this.max) {
      this.creating++;
      try {
        const resource = await this.create();
        this.all.push(resource);
        return resource;
      } finally {
        this.creating--;
      }
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(resource: T): void {
    const next = this.waiting.shift();
    if (next) next(resource);
    else this.idle.push(resource);
  }

  /** Destroys every resource; later `use` calls fail. */
  async close(): Promise<void> {
    this.closed = true;
    const all = this.all.splice(0);
    this.idle.length = 0;
    for (const resource of all) await this.destroy(resource);
  }
}
