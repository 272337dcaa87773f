import { homedir } from "node:os";
import { join } from "node:path";

/**
 * Where model downloads and the call cache live when neither `--cache-dir` nor the config's
 * `cacheDir` says: `$CHORUS_CACHE_DIR`, else `$XDG_CACHE_HOME/chorus`, else `~/.cache/chorus`.
 */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CHORUS_CACHE_DIR) return env.CHORUS_CACHE_DIR;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, "chorus");
  return join(homedir(), ".cache", "chorus");
}

/** The call cache's database file inside a cache folder. */
export function callCachePath(cacheDir: string): string {
  return join(cacheDir, "calls.sqlite");
}
