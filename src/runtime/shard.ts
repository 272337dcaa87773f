import { UsageError } from "../model/errors.ts";

/**
 * One slice of a run for job systems that fan work out (Kubernetes Indexed Jobs, Slurm arrays):
 * shard `index` of `count` takes the items whose position modulo `count` is `index`. The split
 * depends only on positions, so every process computes the same one, and results keep their
 * position in the whole list, so merged shards sort exactly like a single-process run.
 */
export interface Shard {
  index: number;
  count: number;
}

/**
 * Parses `--shard i/N` (0 <= i < N).
 * @throws UsageError naming the flag and the expected form.
 */
export function parseShard(text: string): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index >= count)
    throw new UsageError(
      `--shard ${text}: expected i/N with 0 <= i < N (e.g. 0/4 for the first of four shards)`,
    );
  return { index, count };
}

/** Whether the item at `position` belongs to `shard` (every item does when there is none). */
export function inShard(position: number, shard: Shard | undefined): boolean {
  return shard === undefined || position % shard.count === shard.index;
}

/** How many of `total` items fall in `shard`. */
export function shardSize(total: number, shard: Shard): number {
  return Math.max(0, Math.ceil((total - shard.index) / shard.count));
}

/** `i/N`, as the flag takes it. */
export function formatShard(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}
