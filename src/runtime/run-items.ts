import { BatchPendingError, BudgetExceededError, DataError } from "../model/errors.ts";
import { holdingCalls } from "./held-calls.ts";
import { itemContext } from "./item-context.ts";
import type { ProgressLine } from "./progress-line.ts";
import type { FailureRecord, ResultRecord, Run } from "./run.ts";
import { RunStats } from "./run-stats.ts";
import { inShard, type Shard } from "./shard.ts";

/** What the item function receives besides the item. */
export interface ItemContext {
  id: string;
  index: number;
  /** Aborted when the run stops (budget reached, abort requested, or stopOnError). */
  signal: AbortSignal;
}

export interface RunItemsOptions<I> {
  /** Stable id of an item; default: its `id` field when it has one, else its position. */
  id?: (item: I, index: number) => string;
  /** Items in flight at once (default 1). */
  concurrency?: number;
  /** Results are appended here as each item finishes; items it already holds are skipped. */
  run?: Run;
  stats?: RunStats;
  progress?: ProgressLine;
  signal?: AbortSignal;
  /** Stop at the first failed item instead of recording it and going on. */
  stopOnError?: boolean;
  /** Run only this shard's items (positions and ids stay those of the whole list). */
  shard?: Shard;
  /**
   * Log an item's model calls when it ends, and none of an item deferred to an offline batch's
   * next round (that round replays and logs them): see held-calls.ts.
   */
  holdCalls?: boolean;
}

/** Why a run ended early. */
export interface RunStop {
  reason: "budget" | "aborted" | "error";
  message: string;
}

export interface RunItemsReport<R> {
  /** Every finished item (this attempt and earlier ones), in input order. */
  results: ResultRecord<R>[];
  /** Items finished by this call. */
  completed: number;
  /** Items skipped because an earlier attempt finished them. */
  skipped: number;
  failed: FailureRecord[];
  /** Items waiting for an offline batch's answers (neither finished nor failed; resume runs them). */
  deferred: number;
  stopped?: RunStop;
}

/**
 * Runs `fn` over `items` with bounded concurrency, writing each result as soon as its item
 * finishes, so a killed run loses nothing finished and a resumed run skips it. A token budget
 * running out (BudgetExceededError from a wrapped model) stops the run cleanly: no new items
 * start, items in flight finish or are left for a resume, and `stopped` says so.
 * @example
 * const report = await runItems(questions, async (q) => answer(model, q), { run, concurrency: 4 });
 */
export async function runItems<I, R>(
  items: readonly I[],
  fn: (item: I, context: ItemContext) => Promise<R>,
  options: RunItemsOptions<I> = {},
): Promise<RunItemsReport<R>> {
  const idOf = options.id ?? defaultItemId;
  const ids = items.map((item, index) => idOf(item, index));
  const positions = new Map<string, number>();
  for (const [index, id] of ids.entries()) {
    const earlier = positions.get(id);
    if (earlier !== undefined)
      throw new DataError(
        `items #${earlier + 1} and #${index + 1} share the id "${id}"; item ids must be unique`,
      );
    positions.set(id, index);
  }

  const stats = options.stats ?? new RunStats();
  const run = options.run;
  const results = new Map<string, ResultRecord<R>>();
  let skipped = 0;
  const pending: number[] = [];
  let inThisShard = 0;
  for (const [index, id] of ids.entries()) {
    if (!inShard(index, options.shard)) continue;
    inThisShard++;
    const earlier = run?.finished.get(id);
    if (earlier) {
      results.set(id, { ...earlier, index } as ResultRecord<R>);
      skipped++;
    } else pending.push(index);
  }
  stats.itemsTotal += inThisShard;
  stats.itemsSkipped += skipped;
  options.progress?.update();

  const controller = new AbortController();
  const onAbort = () => stop({ reason: "aborted", message: "the run was aborted" });
  options.signal?.addEventListener("abort", onAbort, { once: true });
  let stopped: RunStop | undefined;
  const stop = (reason: RunStop) => {
    stopped ??= reason;
    controller.abort(new Error(reason.message));
  };
  if (options.signal?.aborted) onAbort();

  const failed: FailureRecord[] = [];
  let completed = 0;
  let deferred = 0;
  let next = 0;
  /** Results written whose group fdatasync has not finished: done only once it has. */
  const commits = new Set<Promise<void>>();
  const commit = async (record: ResultRecord<R>) => {
    try {
      await run?.commitResult(record);
    } catch (error) {
      stop({ reason: "error", message: `${run?.resultsPath}: ${(error as Error).message}` });
      return;
    }
    results.set(record.id, record);
    completed++;
    stats.itemsDone++;
    options.progress?.update();
  };
  const worker = async () => {
    while (!stopped && next < pending.length) {
      const index = pending[next++]!;
      const id = ids[index]!;
      try {
        const call = () => fn(items[index]!, { id, index, signal: controller.signal });
        const result = await itemContext.run({ itemId: id }, () =>
          options.holdCalls ? holdingCalls(call) : call(),
        );
        // the sync of its line runs while the worker takes the next item
        const committing = commit({ id, index, result });
        commits.add(committing);
        void committing.finally(() => commits.delete(committing));
        continue;
      } catch (error) {
        if (error instanceof BatchPendingError) {
          deferred++;
        } else if (error instanceof BudgetExceededError) {
          stop({ reason: "budget", message: error.message });
        } else if (stopped && controller.signal.aborted) {
          // An item cut short by the stop is not a failure: a resume runs it again.
        } else {
          const failure: FailureRecord = {
            id,
            index,
            error: error instanceof Error ? error.message : String(error),
            time: new Date().toISOString(),
          };
          run?.appendFailure(failure);
          failed.push(failure);
          stats.itemsFailed++;
          if (options.stopOnError)
            stop({ reason: "error", message: `item "${id}" failed: ${failure.error}` });
        }
      }
      options.progress?.update();
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency ?? 1, pending.length));
  try {
    await Promise.all(Array.from({ length: workers }, worker));
    await Promise.all(commits);
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
  }

  const report: RunItemsReport<R> = {
    results: [...results.values()].sort((a, b) => a.index - b.index),
    completed,
    skipped,
    failed: failed.sort((a, b) => a.index - b.index),
    deferred,
  };
  if (stopped) report.stopped = stopped;
  return report;
}

function defaultItemId(item: unknown, index: number): string {
  if (item !== null && typeof item === "object" && "id" in item) {
    const id = (item as { id: unknown }).id;
    if (typeof id === "string" || typeof id === "number") return String(id);
  }
  return String(index);
}
