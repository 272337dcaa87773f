import { createHash } from "node:crypto";
import { createReadStream, statSync } from "node:fs";

/** Remembers file hashes between processes, keyed by path, size and modification time. */
export interface FileHashStore {
  getFileHash(path: string, size: number, mtimeMs: number): string | undefined;
  setFileHash(path: string, size: number, mtimeMs: number, sha256: string): void;
}

/**
 * sha256 (hex) of a file's bytes, streamed. With a store, a multi-GB model is hashed once and
 * looked up afterwards while its size and mtime are unchanged.
 */
export async function fileSha256(path: string, store?: FileHashStore): Promise<string> {
  const { size, mtimeMs } = statSync(path);
  const known = store?.getFileHash(path, size, mtimeMs);
  if (known) return known;
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 22 })) hash.update(chunk);
  const digest = hash.digest("hex");
  store?.setFileHash(path, size, mtimeMs, digest);
  return digest;
}
