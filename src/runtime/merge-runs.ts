import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { DataError, UsageError } from "../model/errors.ts";
import type { CallEvent } from "./call-event.ts";
import { canonicalJson } from "./canonical-json.ts";
import { readJsonl } from "./jsonl-file.ts";
import { type ResultRecord, Run, type RunManifest } from "./run.ts";
import { formatShard, inShard, type Shard, shardSize } from "./shard.ts";

/** How a sharded run records its slice in `config.json` (`config.shard`). */
export interface ShardRecord extends Shard {
  /** Items in the whole list, so a merge can tell whether each shard is complete. */
  items: number;
}

interface ShardRun {
  dir: string;
  manifest: RunManifest;
  shard: ShardRecord;
  results: ResultRecord[];
}

/**
 * Joins the run folders of `--shard i/N` runs into one run folder at `out`, as if one process
 * had run every item: the results of all shards (sorted by method, then position), their events,
 * and the shared configuration without `shard`. It refuses shards made with different settings,
 * a shard given twice or missing, and a shard that has not finished all its items.
 * @returns the merged run, closed, with its results in report order.
 * @throws UsageError naming the shard folder and what is wrong with it.
 */
export function mergeRuns(
  dirs: readonly string[],
  out: string,
): { dir: string; manifest: RunManifest; results: ResultRecord[] } {
  if (dirs.length === 0) throw new UsageError("runs merge: name the shard run folders to merge");
  const runs = dirs.map(readShardRun);
  const first = runs[0]!;
  const settings = (run: ShardRun) =>
    canonicalJson({ config: withoutShard(run.manifest.config), seed: run.manifest.seed });
  const count = first.shard.count;
  const byIndex = new Map<number, ShardRun>();
  for (const run of runs) {
    if (settings(run) !== settings(first))
      throw new UsageError(
        `${run.dir} was run with other settings than ${first.dir} (config.json differs beyond --shard); only shards of one run merge`,
      );
    if (run.shard.count !== count || run.shard.items !== first.shard.items)
      throw new UsageError(
        `${run.dir} is shard ${formatShard(run.shard)} of ${run.shard.items} items, ${first.dir} is ${formatShard(first.shard)} of ${first.shard.items}`,
      );
    const twice = byIndex.get(run.shard.index);
    if (twice)
      throw new UsageError(
        `${twice.dir} and ${run.dir} are both shard ${formatShard(run.shard)}; give each shard once`,
      );
    byIndex.set(run.shard.index, run);
  }
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (missing.length > 0)
    throw new UsageError(
      `shard(s) ${missing.map((i) => `${i}/${count}`).join(", ")} missing; a merge needs all ${count}`,
    );

  const methods = methodsOf(first.manifest);
  const seen = new Map<string, string>();
  for (const run of runs) {
    for (const r of run.results) {
      if (!inShard(r.index, run.shard))
        throw new UsageError(
          `${run.dir}: result "${r.id}" is at position ${r.index}, outside shard ${formatShard(run.shard)}`,
        );
      const other = seen.get(r.id);
      if (other)
        throw new UsageError(`result "${r.id}" is in both ${other} and ${run.dir}; shards overlap`);
      seen.set(r.id, run.dir);
    }
    const expected = shardSize(run.shard.items, run.shard) * Math.max(1, methods.length);
    if (run.results.length !== expected)
      throw new UsageError(
        `${run.dir} (shard ${formatShard(run.shard)}) has ${run.results.length} of ${expected} results; finish it with --resume ${run.dir} before merging`,
      );
  }

  const methodOrder = (id: string) => {
    const at = methods.indexOf(id.slice(0, id.indexOf("/")));
    return Math.max(at, 0);
  };
  const results = runs
    .flatMap((run) => run.results)
    .sort((a, b) => methodOrder(a.id) - methodOrder(b.id) || a.index - b.index);
  const merged = Run.create({
    dir: out,
    config: { ...withoutShard(first.manifest.config), mergedFrom: runs.map((r) => r.dir) },
    ...(first.manifest.seed !== undefined ? { seed: first.manifest.seed } : {}),
  });
  try {
    for (const run of runs) {
      for (const [name, record] of Object.entries(run.manifest.models))
        if (!(name in merged.manifest.models)) merged.recordModel(name, record);
      for (const event of readJsonl<CallEvent>(join(run.dir, "events.jsonl")))
        merged.appendEvent(event);
    }
    for (const record of results) merged.appendResult(record);
    // the shards' input items (each wrote its own), once each, when they recorded them
    const items = new Map<string, { id: string }>();
    for (const run of runs)
      for (const item of readJsonl<{ id: string }>(join(run.dir, "items.jsonl")))
        if (!items.has(item.id)) items.set(item.id, item);
    if (items.size > 0) merged.recordItems([...items.values()]);
  } finally {
    merged.close();
  }
  return { dir: merged.dir, manifest: merged.manifest, results };
}

function readShardRun(dir: string): ShardRun {
  const path = join(resolve(dir), "config.json");
  if (!existsSync(path)) throw new UsageError(`${dir} is not a run folder (no config.json)`);
  let manifest: RunManifest;
  try {
    manifest = JSON.parse(readFileSync(path, "utf8")) as RunManifest;
  } catch (error) {
    throw new DataError(`not valid JSON (${(error as Error).message})`, { file: path });
  }
  const shard = (manifest.config as { shard?: ShardRecord } | null)?.shard;
  if (!shard) throw new UsageError(`${dir} was not run with --shard; only shard runs merge`);
  return {
    dir: resolve(dir),
    manifest,
    shard,
    results: readJsonl<ResultRecord>(join(resolve(dir), "results.jsonl")),
  };
}

function withoutShard(config: unknown): Record<string, unknown> {
  const { shard: _shard, ...rest } = (config ?? {}) as Record<string, unknown>;
  return rest;
}

/** The methods of an eval run, in order (result ids are `<method>/<item>`); none for others. */
function methodsOf(manifest: RunManifest): string[] {
  const methods = (manifest.config as { methods?: unknown } | null)?.methods;
  return Array.isArray(methods) ? methods.map(String) : [];
}
