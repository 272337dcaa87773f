import { rendezvousOrder } from "./rendezvous.ts";
import type { Replica, ReplicaWaiter } from "./replica.ts";

/** How a group spreads calls over its replicas. */
export interface BalanceSettings {
  /**
   * "affinity" (default): calls with the same routing key go to the same replica (rendezvous
   * hashing with bounded load), so a router-less cluster still reuses each item's prefix cache;
   * "least-outstanding": each call goes to the replica with the least work per slot.
   */
  strategy: "affinity" | "least-outstanding";
  /**
   * Affinity yields when its replica holds more than this times its fair share of the group's
   * work (calls in flight plus queued, shared by limit), so one hot key set cannot swamp a replica.
   */
  maxLoadFactor: number;
}

/**
 * A model's replicas and the choice among them: which replica a call waits for, moving waiters
 * when a replica pauses or is ejected, and health probes of ejected replicas when they are due.
 * While every replica is ejected, all of them are tried (better a failed call than none at all);
 * while every usable replica is paused, calls wait for the first to reopen. A call that failed on
 * every replica in rotation while others are ejected can wait for one of those to come back.
 */
export class ReplicaGroup {
  readonly replicas: readonly Replica[];
  readonly #balance: BalanceSettings;
  readonly #probe: (replica: Replica) => Promise<boolean>;
  readonly #parked = new Set<() => void>();

  constructor(
    replicas: readonly Replica[],
    balance: BalanceSettings,
    probe: (replica: Replica) => Promise<boolean>,
  ) {
    this.replicas = replicas;
    this.#balance = balance;
    this.#probe = probe;
    for (const replica of replicas) replica.onAvailable(() => this.#unpark());
  }

  /**
   * Waits for a slot and returns the replica holding it; give it back with `replica.release()`.
   * `avoid`: replicas that already failed this call, used only when nothing else is open.
   * Rejects with the signal's reason if it aborts first.
   */
  acquire(
    key: string | undefined,
    avoid: ReadonlySet<Replica>,
    signal?: AbortSignal,
  ): Promise<Replica> {
    signal?.throwIfAborted();
    return new Promise((resolve, reject) => {
      let queuedOn: Replica | undefined;
      let parked: (() => void) | undefined;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const unpark = () => {
        if (!parked) return;
        clearTimeout(timer);
        this.#parked.delete(parked);
        parked = undefined;
      };
      const onAbort = () => {
        queuedOn?.remove(waiter);
        unpark();
        reject(signal?.reason);
      };
      const place = () => {
        const now = performance.now();
        const replica = this.choose(key, avoid, now);
        if (replica) {
          queuedOn = replica;
          replica.enqueue(waiter);
          return;
        }
        const wake = () => {
          unpark();
          place();
        };
        parked = wake;
        this.#parked.add(wake);
        timer = setTimeout(wake, Math.max(1, Math.ceil(this.#reopensAt() - now)));
      };
      const waiter: ReplicaWaiter = {
        grant: (replica) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(replica);
        },
        reroute: () => {
          queuedOn = undefined;
          place();
        },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      place();
    });
  }

  /**
   * Whether a usable replica not in `avoid` exists to fail over to: one in rotation, or, while
   * every replica is ejected, any (as `choose` tries them all then, a call that failed on one
   * goes on to the others rather than failing where they were never asked).
   */
  hasAlternative(avoid: ReadonlySet<Replica>): boolean {
    return this.#usable().some((r) => !avoid.has(r));
  }

  /**
   * For a call that failed on every replica in rotation (`avoid`) while others are ejected: those
   * may be fine (ejected by a burst of stalls, say) and have just not been probed yet, so probe
   * them now rather than at their cooldown's end, again each cooldown while they fail, and wait
   * until one of them is back (or any replica outside `avoid` is usable). Nothing is sent to an
   * ejected replica before its probe passes. "nothing-ejected": there was nothing to wait for;
   * "out-of-time": none came back within `timeoutMs`. Rejects with the signal's reason on abort.
   */
  awaitReadmission(
    avoid: ReadonlySet<Replica>,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<"readmitted" | "nothing-ejected" | "out-of-time"> {
    signal?.throwIfAborted();
    if (this.hasAlternative(avoid)) return Promise.resolve("readmitted");
    const ejected = this.replicas.filter((r) => r.ejected && !avoid.has(r));
    if (ejected.length === 0) return Promise.resolve("nothing-ejected");
    if (timeoutMs <= 0) return Promise.resolve("out-of-time");
    return new Promise((resolve, reject) => {
      let done = false;
      let probeTimer: ReturnType<typeof setTimeout> | undefined;
      const finish = (settle: () => void) => {
        done = true;
        clearTimeout(deadline);
        clearTimeout(probeTimer);
        this.#parked.delete(check);
        signal?.removeEventListener("abort", onAbort);
        settle();
      };
      const check = () => {
        if (!done && this.hasAlternative(avoid)) finish(() => resolve("readmitted"));
      };
      const onAbort = () => finish(() => reject(signal?.reason));
      const probeRound = async () => {
        const out = ejected.filter((r) => r.ejected);
        await Promise.all(out.map((r) => r.probe(() => this.#probe(r))));
        check();
        if (done) return;
        const next = Math.min(...ejected.filter((r) => r.ejected).map((r) => r.nextProbeAt));
        const delay = Number.isFinite(next) ? next - performance.now() : 0;
        probeTimer = setTimeout(() => void probeRound(), Math.max(1, Math.ceil(delay)));
      };
      const deadline = setTimeout(() => finish(() => resolve("out-of-time")), timeoutMs);
      this.#parked.add(check);
      signal?.addEventListener("abort", onAbort, { once: true });
      void probeRound();
    });
  }

  /** The replica a call should queue on now; undefined when every usable one is paused. */
  choose(key: string | undefined, avoid: ReadonlySet<Replica>, now: number): Replica | undefined {
    this.#startDueProbes(now);
    let open = this.#usable().filter((r) => r.pausedUntil <= now);
    if (open.length === 0) return undefined;
    const fresh = open.filter((r) => !avoid.has(r));
    if (fresh.length > 0) open = fresh;
    if (open.length === 1) return open[0];
    if (this.#balance.strategy === "least-outstanding" || key === undefined) {
      return leastLoaded(open);
    }
    // Consistent hashing with bounded loads: the key's first-ranked replica unless taking one
    // more call would put it above maxLoadFactor times its share of the open replicas' work. A
    // replica with a free slot always qualifies: the bound is there to stop queues, and a free
    // slot means no queue (without this, two calls of one key would split at low load).
    const total = open.reduce((sum, r) => sum + r.load, 0) + 1;
    const slots = open.reduce((sum, r) => sum + r.limit.value, 0);
    for (const replica of rendezvousOrder(key, open, (r) => r.baseURL)) {
      const share = (this.#balance.maxLoadFactor * total * replica.limit.value) / slots;
      if (replica.load + 1 <= Math.max(replica.limit.value, Math.ceil(share))) return replica;
    }
    return leastLoaded(open);
  }

  /** Replicas in rotation, or all of them when every one is ejected. */
  #usable(): readonly Replica[] {
    const up = this.replicas.filter((r) => !r.ejected);
    return up.length > 0 ? up : this.replicas;
  }

  /** When the first usable replica reopens. */
  #reopensAt(): number {
    return Math.min(...this.#usable().map((r) => r.pausedUntil));
  }

  #startDueProbes(now: number): void {
    for (const replica of this.replicas) {
      if (replica.probeDue(now)) void replica.probe(() => this.#probe(replica));
    }
  }

  #unpark(): void {
    for (const wake of [...this.#parked]) wake();
  }
}

function leastLoaded(replicas: readonly Replica[]): Replica {
  let best = replicas[0]!;
  for (const replica of replicas) {
    if (replica.load / replica.limit.value < best.load / best.limit.value) best = replica;
  }
  return best;
}
