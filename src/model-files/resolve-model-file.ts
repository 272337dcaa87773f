import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { DataError, UsageError } from "../model/errors.ts";
import { type DownloadProgress, downloadFile } from "./download-file.ts";
import { stderrProgress } from "./download-progress.ts";
import {
  formatHfReference,
  hfCachePath,
  hfDownloadUrl,
  isHfReference,
  parseHfReference,
} from "./hf-reference.ts";
import { findCachedModels, modelsDir } from "./model-cache.ts";

export interface ResolveModelFileOptions {
  /** The chorus cache folder; models live in `<cacheDir>/models`. */
  cacheDir?: string;
  /** Expected sha256 of a download. */
  sha256?: string;
  /** Progress of a download (default: a progress line on stderr when it is a terminal). */
  onProgress?: (progress: DownloadProgress) => void;
  /** Set false to fail instead of downloading a missing hf: file. */
  download?: boolean;
  signal?: AbortSignal;
}

/**
 * The hub to download from: `$CHORUS_HF_ENDPOINT`, else `$HF_ENDPOINT` (the variable the Hugging
 * Face libraries read, so a mirror set for them serves chorus too), else https://huggingface.co.
 */
export function hfEndpoint(): string {
  return process.env.CHORUS_HF_ENDPOINT || process.env.HF_ENDPOINT || "https://huggingface.co";
}

/**
 * Turns a model reference into a local GGUF path: an existing file path; a name in the cache
 * (`chorus models list`); or `hf:<owner>/<repo>[@<revision>]/<file>.gguf` or an http(s) URL,
 * downloaded into the cache on first use (resumable, checksummed) and taken from it afterwards.
 */
export async function resolveModelFile(
  ref: string,
  options: ResolveModelFileOptions = {},
): Promise<string> {
  if (isHfReference(ref)) return pullModel(ref, options);
  if (/^https?:\/\//i.test(ref)) return pullUrl(ref, options);
  const asPath = resolve(ref);
  const info = await stat(asPath).catch(() => undefined);
  if (info?.isFile()) return asPath;
  if (info?.isDirectory()) {
    throw new UsageError(`model "${ref}" is a folder; pass the .gguf file inside it`);
  }
  const cached = await findCachedModels(ref, options.cacheDir);
  if (cached.length === 1) return cached[0]!.path;
  if (cached.length > 1) {
    throw new UsageError(
      `model name "${ref}" matches several cached files (${cached.map((m) => m.name).join(", ")}); ` +
        "use the full name",
    );
  }
  throw new UsageError(
    `model "${ref}" not found: it is not a file and not in the cache (${modelsDir(options.cacheDir)}); ` +
      "pass a path to a .gguf file, a cached name (see `chorus models list`) or " +
      "hf:<owner>/<repo>/<file>.gguf",
  );
}

/**
 * Downloads an `hf:` reference into the cache unless it is there already; returns its path.
 * `HF_TOKEN` is sent for gated or private repositories.
 */
export async function pullModel(
  ref: string,
  options: ResolveModelFileOptions = {},
): Promise<string> {
  const parsed = parseHfReference(ref);
  const dest = join(modelsDir(options.cacheDir), ...hfCachePath(parsed).split("/"));
  const cached = await stat(dest).then(
    (s) => s.isFile(),
    () => false,
  );
  if (cached) {
    if (options.sha256 !== undefined) await checkCachedSha(dest, options.sha256);
    return dest;
  }
  if (options.download === false) {
    throw new UsageError(
      `${formatHfReference(parsed)} is not in the cache; run \`chorus models pull ${ref}\``,
    );
  }
  const progress = options.onProgress ? undefined : stderrProgress(parsed.file);
  try {
    await downloadFile(hfDownloadUrl(parsed, hfEndpoint()), dest, {
      ...(options.sha256 !== undefined ? { sha256: options.sha256 } : {}),
      ...(process.env.HF_TOKEN ? { token: process.env.HF_TOKEN } : {}),
      onProgress: options.onProgress ?? progress!.onProgress,
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } finally {
    progress?.done();
  }
  return dest;
}

/**
 * Downloads a plain http(s) URL into `<models>/urls/<host>/<path>` unless it is there already.
 * No token is sent; the checksum is the user's `sha256` or a sha256 ETag when the server sends one.
 */
export async function pullUrl(url: string, options: ResolveModelFileOptions = {}): Promise<string> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`bad model URL "${url}"`);
  }
  const parts = parsed.pathname.split("/").filter((p) => p !== "" && p !== "." && p !== "..");
  if (parts.length === 0) throw new UsageError(`model URL "${url}" names no file`);
  const dest = join(
    modelsDir(options.cacheDir),
    "urls",
    parsed.host.replace(":", "_"),
    ...parts.map(decodeURIComponent),
  );
  const cached = await stat(dest).then(
    (s) => s.isFile(),
    () => false,
  );
  if (cached) {
    if (options.sha256 !== undefined) await checkCachedSha(dest, options.sha256);
    return dest;
  }
  if (options.download === false) {
    throw new UsageError(`${url} is not in the cache; run \`chorus models pull ${url}\``);
  }
  const progress = options.onProgress ? undefined : stderrProgress(parts.at(-1)!);
  try {
    await downloadFile(url, dest, {
      ...(options.sha256 !== undefined ? { sha256: options.sha256 } : {}),
      onProgress: options.onProgress ?? progress!.onProgress,
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } finally {
    progress?.done();
  }
  return dest;
}

/** A cached file must match a sha256 the user gave; a mismatch names both and the fix. */
async function checkCachedSha(path: string, expected: string): Promise<void> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  const actual = hash.digest("hex");
  if (actual !== expected.toLowerCase()) {
    throw new DataError(
      `the cached file has sha256 ${actual}, not the expected ${expected.toLowerCase()}; ` +
        "delete it and pull again if the expected hash is right",
      { file: path },
    );
  }
}
