import { readdir, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { defaultCacheDir } from "../runtime/cache-dir.ts";

/** One model file in the cache. */
export interface CachedModel {
  /** `<owner>/<repo>[@<revision>]/<file>`: usable as `--model` and as `hf:<name>`. */
  name: string;
  path: string;
  bytes: number;
}

/**
 * The models folder: `<cacheDir>/models`, where `cacheDir` is the chorus cache folder
 * (`--cache-dir`, else `$CHORUS_CACHE_DIR`, `$XDG_CACHE_HOME/chorus`, `~/.cache/chorus`).
 */
export function modelsDir(cacheDir?: string): string {
  return join(cacheDir ?? defaultCacheDir(), "models");
}

/** Every complete model file in the cache (not partial downloads), sorted by name. */
export async function listCachedModels(cacheDir?: string): Promise<CachedModel[]> {
  const root = modelsDir(cacheDir);
  const found: CachedModel[] = [];
  async function walk(dir: string): Promise<void> {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (
        entry.isFile() &&
        !/\.(part|lock)$/.test(entry.name) &&
        !entry.name.includes(".writing")
      ) {
        const name = relative(root, path).split(sep).join("/");
        found.push({ name, path, bytes: (await stat(path)).size });
      }
    }
  }
  await walk(root);
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Cached models matching `name`: the full cache name, the file name, or the file name without
 * `.gguf` (so `SmolLM2-135M-Instruct-Q8_0` finds `bartowski/.../SmolLM2-135M-Instruct-Q8_0.gguf`).
 */
export async function findCachedModels(name: string, cacheDir?: string): Promise<CachedModel[]> {
  const all = await listCachedModels(cacheDir);
  const exact = all.filter((m) => m.name === name);
  if (exact.length > 0) return exact;
  return all.filter((m) => {
    const file = m.name.slice(m.name.lastIndexOf("/") + 1);
    return file === name || file.replace(/\.gguf$/i, "") === name;
  });
}
