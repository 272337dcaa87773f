import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The shared data folder (datasets, tiny models): `$CHORUS_SHARED_DIR`, else `<repo>/../shared`,
 * where CI and the development machines keep it beside the clone.
 */
export function sharedDir(): string {
  const fromEnv = process.env["CHORUS_SHARED_DIR"];
  if (fromEnv) return resolve(fromEnv);
  const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
  return resolve(repo, "..", "shared");
}

/** Path of a file under the shared folder; `undefined` when it is not there. */
export function sharedFile(...parts: string[]): string | undefined {
  const path = resolve(sharedDir(), ...parts);
  return existsSync(path) ? path : undefined;
}
