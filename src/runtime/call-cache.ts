import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { canonicalHash } from "./canonical-json.ts";
import type { FileHashStore } from "./file-hash.ts";

/** What a cache entry is keyed on: the model's identity and the whole request. */
export interface CallKey {
  /** "generate" or "score". */
  kind: string;
  provider: string;
  /** Identifies the weights, not the pool name: e.g. the GGUF's sha256, or baseURL + model. */
  modelId: string;
  /** The request without its AbortSignal. */
  request: unknown;
}

/** Hit/miss counters since the cache was opened. */
export interface CallCacheStats {
  hits: number;
  misses: number;
  writes: number;
}

/**
 * Persistent cache of model calls in one SQLite file (WAL mode, so several processes can share
 * it). Values are JSON; errors are never stored because only `set` writes and callers call it on
 * success only.
 */
export class CallCache implements FileHashStore {
  readonly path: string;
  readonly stats: CallCacheStats = { hits: 0, misses: 0, writes: 0 };
  readonly #db: Database.Database;
  readonly #get: Database.Statement<[string], { value: string }>;
  readonly #set: Database.Statement<[string, string, string, string, string, number]>;
  readonly #getFile: Database.Statement<[string, number, number], { sha256: string }>;
  readonly #setFile: Database.Statement<[string, number, number, string]>;

  /** Opens (creating if needed) the cache database at `path`, e.g. `<cacheDir>/calls.sqlite`. */
  constructor(path: string) {
    this.path = path;
    mkdirSync(dirname(path), { recursive: true });
    this.#db = new Database(path, { timeout: 10_000 });
    this.#db.pragma("journal_mode = WAL");
    this.#db.pragma("synchronous = NORMAL");
    this.#db.exec(`
      CREATE TABLE IF NOT EXISTS calls (
        key TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        provider TEXT NOT NULL,
        model TEXT NOT NULL,
        value TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS file_hashes (
        path TEXT NOT NULL,
        size INTEGER NOT NULL,
        mtime_ms REAL NOT NULL,
        sha256 TEXT NOT NULL,
        PRIMARY KEY (path, size, mtime_ms)
      );
    `);
    this.#get = this.#db.prepare("SELECT value FROM calls WHERE key = ?");
    this.#set = this.#db.prepare(
      "INSERT OR REPLACE INTO calls (key, kind, provider, model, value, created_at) VALUES (?, ?, ?, ?, ?, ?)",
    );
    this.#getFile = this.#db.prepare(
      "SELECT sha256 FROM file_hashes WHERE path = ? AND size = ? AND mtime_ms = ?",
    );
    this.#setFile = this.#db.prepare(
      "INSERT OR REPLACE INTO file_hashes (path, size, mtime_ms, sha256) VALUES (?, ?, ?, ?)",
    );
  }

  /** The sha256 key of a call. */
  static key(call: CallKey): string {
    return canonicalHash({
      kind: call.kind,
      provider: call.provider,
      modelId: call.modelId,
      request: call.request,
    });
  }

  /** The stored value for `key`, counting a hit or a miss. */
  get<T>(key: string): T | undefined {
    const row = this.#get.get(key);
    if (row === undefined) {
      this.stats.misses++;
      return undefined;
    }
    this.stats.hits++;
    return JSON.parse(row.value) as T;
  }

  /** Stores a successful call's value. */
  set(key: string, call: Omit<CallKey, "request">, value: unknown): void {
    this.#set.run(key, call.kind, call.provider, call.modelId, JSON.stringify(value), Date.now());
    this.stats.writes++;
  }

  /** Number of stored calls. */
  size(): number {
    return (this.#db.prepare("SELECT count(*) AS n FROM calls").get() as { n: number }).n;
  }

  getFileHash(path: string, size: number, mtimeMs: number): string | undefined {
    return this.#getFile.get(path, size, mtimeMs)?.sha256;
  }

  setFileHash(path: string, size: number, mtimeMs: number, sha256: string): void {
    this.#setFile.run(path, size, mtimeMs, sha256);
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }
}
