import { createHash, type Hash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, rename, rm, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { DataError, ModelCallError } from "../model/errors.ts";
import { acquireDownloadLock } from "./download-lock.ts";

/** Progress of one download, reported as bytes arrive. */
export interface DownloadProgress {
  received: number;
  /** Total size when the server said it. */
  total?: number;
  /** Bytes that were already on disk from an earlier, interrupted download. */
  resumedFrom: number;
}

export interface DownloadOptions {
  /** Expected sha256 (hex). Without it, a sha256 ETag / X-Linked-Etag from the server is used. */
  sha256?: string;
  /** Bearer token, sent only to the URL's own host (not to the CDN it redirects to). */
  token?: string;
  onProgress?: (progress: DownloadProgress) => void;
  /** Automatic resumes after a dropped connection (default 3). */
  retries?: number;
  signal?: AbortSignal;
}

export interface DownloadResult {
  path: string;
  bytes: number;
  /** sha256 of the file (hex). */
  sha256: string;
  /** Whether the hash was checked against an expected value. */
  verified: boolean;
  /** Bytes reused from a partial file left by an earlier attempt. */
  resumedFrom: number;
}

const sha256Pattern = /^[0-9a-f]{64}$/;

/**
 * Downloads `url` to `dest`: into `dest.part` first, resuming an existing partial file with an
 * HTTP Range request (a server answering 200 instead of 206 restarts it), checking the sha256,
 * then renaming into place, so `dest` is never a half-written or corrupt file.
 */
export async function downloadFile(
  url: string,
  dest: string,
  options: DownloadOptions = {},
): Promise<DownloadResult> {
  const expected = options.sha256?.toLowerCase();
  if (expected !== undefined && !sha256Pattern.test(expected)) {
    throw new DataError(`--sha256 must be 64 hex digits (got "${options.sha256}")`);
  }
  await mkdir(dirname(dest), { recursive: true });
  const partial = `${dest}.part`;
  const release = await acquireDownloadLock(`${dest}.lock`);
  try {
    const retries = options.retries ?? 3;
    for (let attempt = 0; ; attempt++) {
      try {
        return await attemptDownload(url, dest, partial, expected, options);
      } catch (error) {
        if (!(error instanceof InterruptedDownload) || attempt >= retries) {
          if (error instanceof InterruptedDownload) {
            throw new ModelCallError(
              `download of ${url} was interrupted at ${error.received} of ` +
                `${error.total ?? "?"} bytes (${error.cause}); run the same command again to ` +
                `resume from ${partial}`,
              { url },
            );
          }
          throw error;
        }
        await sleep(250 * 2 ** attempt, undefined, { signal: options.signal });
      }
    }
  } finally {
    await release();
  }
}

/** The connection dropped mid-body: the partial file is kept for a resume. */
class InterruptedDownload extends Error {
  constructor(
    readonly received: number,
    readonly total: number | undefined,
    override readonly cause: unknown,
  ) {
    super("interrupted");
  }
}

async function attemptDownload(
  url: string,
  dest: string,
  partial: string,
  expectedSha: string | undefined,
  options: DownloadOptions,
): Promise<DownloadResult> {
  let offset = await stat(partial).then(
    (s) => s.size,
    () => 0,
  );
  const { response, linkedSha, linkedSize } = await request(url, offset, options);
  let total: number | undefined;
  if (response.status === 416 && offset > 0) {
    // asked past the end: the partial file may already hold the whole file
    await response.body?.cancel();
    total = parseContentRangeTotal(response.headers.get("content-range")) ?? linkedSize;
    if (total !== offset) {
      await rm(partial, { force: true });
      throw new InterruptedDownload(0, total, "the partial file did not match the server's file");
    }
  } else if (response.status === 206) {
    const range = parseContentRange(response.headers.get("content-range"));
    if (!range || range.start !== offset) {
      await response.body?.cancel();
      await rm(partial, { force: true });
      throw new InterruptedDownload(0, range?.total, "the server answered another byte range");
    }
    total = range.total ?? linkedSize;
  } else if (response.status === 200) {
    // the server ignores ranges (or there was nothing to resume): start over
    offset = 0;
    const length = Number.parseInt(response.headers.get("content-length") ?? "", 10);
    total = Number.isFinite(length) ? length : linkedSize;
  } else {
    const body = await response.text().catch(() => "");
    throw httpError(url, response.status, body);
  }
  const expected =
    expectedSha ?? linkedSha ?? shaFromEtag(response.headers.get("etag")) ?? undefined;

  const hash = createHash("sha256");
  if (offset > 0) await hashFile(partial, hash);
  const handle = await open(partial, offset > 0 ? "a" : "w");
  let received = offset;
  try {
    if (response.status !== 416 && response.body) {
      try {
        for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
          hash.update(chunk);
          await handle.write(chunk);
          received += chunk.byteLength;
          options.onProgress?.({
            received,
            ...(total !== undefined ? { total } : {}),
            resumedFrom: offset,
          });
        }
      } catch (error) {
        if (options.signal?.aborted) throw error;
        throw new InterruptedDownload(received, total, errorText(error));
      }
    }
  } finally {
    await handle.close();
  }
  if (total !== undefined && received !== total) {
    throw new InterruptedDownload(received, total, "the connection closed early");
  }
  const sha256 = hash.digest("hex");
  if (expected !== undefined && sha256 !== expected) {
    await rm(partial, { force: true });
    throw new DataError(
      `checksum mismatch for ${url}: expected sha256 ${expected}, got ${sha256}; the corrupt ` +
        "download was deleted — run the command again (or check the --sha256 you gave)",
    );
  }
  await rename(partial, dest);
  return {
    path: dest,
    bytes: received,
    sha256,
    verified: expected !== undefined,
    resumedFrom: offset,
  };
}

/** GET with manual redirects, so the hub's X-Linked-Etag/Size (on the redirect) are seen. */
async function request(
  url: string,
  offset: number,
  options: DownloadOptions,
): Promise<{ response: Response; linkedSha?: string; linkedSize?: number }> {
  const origin = new URL(url).host;
  let current = url;
  let linkedSha: string | undefined;
  let linkedSize: number | undefined;
  for (let hop = 0; hop < 10; hop++) {
    const headers: Record<string, string> = { "user-agent": "chorus" };
    if (offset > 0) headers.range = `bytes=${offset}-`;
    if (options.token && new URL(current).host === origin) {
      headers.authorization = `Bearer ${options.token}`;
    }
    let response: Response;
    try {
      response = await fetch(current, {
        headers,
        redirect: "manual",
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      if (options.signal?.aborted) throw error;
      throw new InterruptedDownload(offset, undefined, errorText(error));
    }
    linkedSha ??= shaFromEtag(response.headers.get("x-linked-etag"));
    const size = Number.parseInt(response.headers.get("x-linked-size") ?? "", 10);
    if (Number.isFinite(size)) linkedSize ??= size;
    const location = response.headers.get("location");
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel();
      current = new URL(location, current).href;
      continue;
    }
    return {
      response,
      ...(linkedSha !== undefined ? { linkedSha } : {}),
      ...(linkedSize !== undefined ? { linkedSize } : {}),
    };
  }
  throw new ModelCallError(`too many redirects downloading ${url}`, { url });
}

function httpError(url: string, status: number, body: string): ModelCallError {
  const hint =
    status === 401 || status === 403
      ? "; the repository may be gated or private: accept its terms on the hub and set HF_TOKEN"
      : status === 404
        ? "; check the owner, repository, revision and file name"
        : "";
  const serverMessage = body.slice(0, 300).trim();
  return new ModelCallError(`download of ${url} failed: HTTP ${status}${hint}`, {
    status,
    url,
    ...(serverMessage ? { serverMessage } : {}),
  });
}

/** A sha256 from an ETag-style header (`"abc…"`, `W/"abc…"`), or undefined. */
function shaFromEtag(value: string | null): string | undefined {
  if (!value) return undefined;
  const stripped = value.replace(/^W\//, "").replace(/^"|"$/g, "").toLowerCase();
  return sha256Pattern.test(stripped) ? stripped : undefined;
}

function parseContentRange(
  value: string | null,
): { start: number; end: number; total?: number } | undefined {
  const match = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(value ?? "");
  if (!match) return undefined;
  return {
    start: Number(match[1]),
    end: Number(match[2]),
    ...(match[3] !== "*" ? { total: Number(match[3]) } : {}),
  };
}

function parseContentRangeTotal(value: string | null): number | undefined {
  const match = /\/(\d+)$/.exec(value ?? "");
  return match ? Number(match[1]) : undefined;
}

async function hashFile(path: string, hash: Hash): Promise<void> {
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
}

function errorText(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
  }
  return String(error);
}
