import { existsSync, readdirSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { UsageError } from "../model/errors.ts";
import { RunIndex } from "./run-index.ts";

const isRun = (dir: string) => existsSync(join(dir, "config.json"));

/**
 * The run folders `chorus view` shows: each argument is a run folder (it has config.json) or a
 * folder of runs (its subfolders that are runs, newest first). Ids are folder names, made unique
 * with a suffix when two arguments hold folders of the same name. With `cacheDir`, each index is
 * kept there between processes (see RunIndex).
 * @throws UsageError for an argument that is neither.
 */
export function openRuns(
  paths: readonly string[],
  options: { cacheDir?: string } = {},
): RunIndex[] {
  const dirs: string[] = [];
  for (const path of paths) {
    const dir = resolve(path);
    if (!existsSync(dir) || !statSync(dir).isDirectory())
      throw new UsageError(`${path}: no such folder`);
    if (isRun(dir)) {
      dirs.push(dir);
      continue;
    }
    const runs = readdirSync(dir)
      .map((name) => join(dir, name))
      .filter((d) => statSync(d).isDirectory() && isRun(d))
      .sort()
      .reverse();
    if (runs.length === 0)
      throw new UsageError(`${path}: not a run folder (no config.json) and holds no run folders`);
    dirs.push(...runs);
  }
  const seen = new Map<string, number>();
  return dirs.map((dir) => {
    const name = basename(dir);
    const count = (seen.get(name) ?? 0) + 1;
    seen.set(name, count);
    return new RunIndex(dir, count === 1 ? name : `${name}-${count}`, options);
  });
}
