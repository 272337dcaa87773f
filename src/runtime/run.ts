import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { DataError, UsageError } from "../model/errors.ts";
import type { CallEvent } from "./call-event.ts";
import { JsonlAppender, readJsonl } from "./jsonl-file.ts";

/** What a run used for one model: enough to tell later which weights produced its results. */
export interface RunModelRecord {
  engine: string;
  file?: string;
  sha256?: string;
  baseURL?: string;
  /** Every replica's base URL, when the model had several (`baseURL` is the first). */
  replicas?: string[];
  model?: string;
  /** The served weights' revision, when configured (the call cache keys on it). */
  revision?: string;
  lora?: { path: string; scale?: number | undefined; sha256?: string }[];
}

/** `config.json` of a run folder. */
export interface RunManifest {
  id: string;
  createdAt: string;
  chorusVersion: string;
  nodeVersion: string;
  /** The command line that started the run. */
  argv?: string[];
  /** The resolved configuration (method options, sampling, concurrency...). */
  config: unknown;
  seed?: number;
  /** Filled as each model is first loaded. */
  models: Record<string, RunModelRecord>;
  /** Times the run was resumed. */
  resumedAt?: string[];
}

/** One line of `results.jsonl`: the finished item's id, its position in the input, its result. */
export interface ResultRecord<R = unknown> {
  id: string;
  index: number;
  result: R;
}

/** One line of `failures.jsonl`: an item whose function threw; a resume retries it. */
export interface FailureRecord {
  id: string;
  index: number;
  error: string;
  time: string;
}

export interface CreateRunOptions {
  /** The run folder itself (`--out`); default `<runsDir>/<id>`. */
  dir?: string;
  runsDir?: string;
  id?: string;
  config: unknown;
  seed?: number;
  argv?: string[];
}

const chorusVersion = (
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version: string;
  }
).version;

/**
 * A run folder: `config.json` (manifest), `events.jsonl` (one line per model call),
 * `results.jsonl` (one line per finished item), `failures.jsonl` and, where the command records
 * them, `items.jsonl` (the input items). Lines are appended whole, so
 * killing the process at any moment loses no finished item; `Run.resume` drops a torn last line.
 */
export class Run {
  readonly dir: string;
  readonly manifest: RunManifest;
  readonly #results: JsonlAppender;
  readonly #events: JsonlAppender;
  readonly #failures: JsonlAppender;
  readonly #finished: Map<string, ResultRecord>;
  readonly #spentBefore: number;

  private constructor(dir: string, manifest: RunManifest) {
    this.dir = dir;
    this.manifest = manifest;
    const results = readJsonl<ResultRecord>(this.resultsPath, { repair: true });
    this.#finished = new Map();
    for (const [line, record] of results.entries()) {
      if (typeof record?.id !== "string")
        throw new DataError("result line has no string id", {
          file: this.resultsPath,
          line: line + 1,
        });
      this.#finished.set(record.id, record);
    }
    this.#spentBefore = readJsonl<CallEvent>(join(dir, "events.jsonl"), { repair: true }).reduce(
      (sum, e) => sum + (e.cached ? 0 : e.inputTokens + e.outputTokens),
      0,
    );
    this.#results = new JsonlAppender(this.resultsPath, { durable: true, groupSync: {} });
    this.#events = new JsonlAppender(join(dir, "events.jsonl"));
    this.#failures = new JsonlAppender(join(dir, "failures.jsonl"));
  }

  /**
   * Starts a new run folder.
   * @throws UsageError when the folder already holds a run (resume it instead).
   */
  static create(options: CreateRunOptions): Run {
    const id = options.id ?? newRunId();
    const dir = resolve(options.dir ?? join(options.runsDir ?? "runs", id));
    if (existsSync(join(dir, "config.json")))
      throw new UsageError(
        `${dir} already holds a run; continue it with --resume ${dir} or choose another --out`,
      );
    mkdirSync(dir, { recursive: true });
    const manifest: RunManifest = {
      id: options.dir ? basename(dir) : id,
      createdAt: new Date().toISOString(),
      chorusVersion,
      nodeVersion: process.version,
      ...(options.argv ? { argv: options.argv } : {}),
      config: options.config,
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      models: {},
    };
    writeJsonAtomic(join(dir, "config.json"), manifest);
    return new Run(dir, manifest);
  }

  /**
   * Reopens a run folder to continue it: finished items are known, a torn last line is cut.
   * @throws UsageError when `dir` is not a run folder.
   */
  static resume(dir: string): Run {
    const path = join(resolve(dir), "config.json");
    if (!existsSync(path))
      throw new UsageError(
        `${dir} is not a run folder (no config.json); pass a folder under runs/ to --resume`,
      );
    let manifest: RunManifest;
    try {
      manifest = JSON.parse(readFileSync(path, "utf8")) as RunManifest;
    } catch (error) {
      throw new DataError(`not valid JSON (${(error as Error).message})`, { file: path });
    }
    manifest.resumedAt = [...(manifest.resumedAt ?? []), new Date().toISOString()];
    writeJsonAtomic(path, manifest);
    return new Run(resolve(dir), manifest);
  }

  get id(): string {
    return this.manifest.id;
  }

  get resultsPath(): string {
    return join(this.dir, "results.jsonl");
  }

  /** Items already finished (from earlier attempts and this one), by id. */
  get finished(): ReadonlyMap<string, ResultRecord> {
    return this.#finished;
  }

  /** Tokens spent by model calls (not cache hits) in earlier attempts of this run. */
  get tokensSpentBefore(): number {
    return this.#spentBefore;
  }

  /** Appends a finished item as one complete line, flushed to disk (its own fdatasync) before returning. */
  appendResult(record: ResultRecord): void {
    this.#results.append(record);
    this.#finished.set(record.id, record);
  }

  /**
   * Appends a finished item as one complete line now and resolves once it is on disk, sharing
   * the fdatasync with the items finishing around it (at most 256 lines or 10 ms apart), so a
   * 100k-item run is not bound by syncing. `runItems` counts an item done only after this.
   */
  async commitResult(record: ResultRecord): Promise<void> {
    const synced = this.#results.appendSynced(record);
    this.#finished.set(record.id, record);
    await synced;
  }

  /** fdatasync calls made on results.jsonl by this process. */
  get resultSyncs(): number {
    return this.#results.syncs;
  }

  appendEvent(event: CallEvent): void {
    this.#events.append(event);
  }

  appendFailure(record: FailureRecord): void {
    this.#failures.append(record);
  }

  /**
   * Writes `items.jsonl`: the run's input items, one JSON line each with its `id` (the item id
   * its results carry), so a reader of the folder sees what each item asked. Rewritten whole
   * (atomically) by every attempt, since a resume or another batch round may hold other items.
   */
  recordItems(items: readonly { id: string }[]): void {
    writeJsonlAtomic(join(this.dir, "items.jsonl"), items);
  }

  /** Records which weights a model name resolved to (rewrites config.json atomically). */
  recordModel(name: string, record: RunModelRecord): void {
    this.manifest.models[name] = record;
    writeJsonAtomic(join(this.dir, "config.json"), this.manifest);
  }

  /** Results sorted by item position: the deterministic order reports use. */
  results<R = unknown>(): ResultRecord<R>[] {
    return [...this.#finished.values()].sort((a, b) => a.index - b.index) as ResultRecord<R>[];
  }

  close(): void {
    this.#results.close();
    this.#events.close();
    this.#failures.close();
  }
}

/** A sortable, collision-safe run id: `20261127-170812-a3f9`. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return `${stamp}-${randomBytes(2).toString("hex")}`;
}

function writeJsonlAtomic(path: string, values: readonly unknown[]): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, values.map((v) => `${JSON.stringify(v)}\n`).join(""));
  renameSync(tmp, path);
}

function writeJsonAtomic(path: string, value: unknown): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(tmp, path);
}
