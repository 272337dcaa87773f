import { statSync } from "node:fs";
import { totalmem } from "node:os";
import { ConfigError, UsageError } from "../model/errors.ts";
import type { LanguageModel } from "../model/language-model.ts";
import type { ModelConfig } from "./config.ts";
import {
  loadWithEngine,
  type ModelFileResolver,
  type ModelLoader,
  resolveWithModelFiles,
} from "./engine-loader.ts";
import { type FileHashStore, fileSha256 } from "./file-hash.ts";
import type { RunModelRecord } from "./run.ts";
import { type WrapModelOptions, wrapModel } from "./wrap-model.ts";

/** Middleware every pooled model gets (cache, budget, counters, event sink). */
export type PoolMiddleware = Omit<
  WrapModelOptions,
  "name" | "cacheIdentity" | "defaults" | "closeInner"
>;

export interface ModelPoolOptions {
  /** Named models, usually `config.models`. */
  models?: Record<string, ModelConfig>;
  /** Local models held at once never exceed this estimate; default half the machine's memory. */
  memoryBudgetMB?: number;
  /** Where cached and downloaded model files live. */
  cacheDir?: string;
  middleware?: PoolMiddleware;
  /** Remembers GGUF hashes between processes (the call cache implements it). */
  fileHashes?: FileHashStore;
  /** Called once per model name on its first load, with the weights it resolved to. */
  onFirstLoad?: (name: string, record: RunModelRecord) => void;
  /** Replaces the engines (tests, custom engines). */
  loader?: ModelLoader;
  /** Replaces model file resolution. */
  resolveFile?: ModelFileResolver;
}

/** Loads and unloads so far, overall and per model name. */
export interface PoolCounts {
  loads: number;
  unloads: number;
  perModel: Record<string, { loads: number; unloads: number }>;
}

interface Slot {
  name: string;
  refs: number;
  lastUsed: number;
  /** Estimated resident bytes; 0 for remote models, undefined until known. */
  bytes: number | undefined;
  ready: Promise<LanguageModel>;
  model?: LanguageModel;
  inner?: LanguageModel;
}

const overheadFactor = 1.2;

/**
 * Named models, loaded on first use and reused; local models are unloaded least-recently-used
 * first whenever loading another would exceed the memory budget (estimated from file sizes).
 * Work grouped per model keeps loads at one per model:
 * @example
 * for (const [name, prompts] of byModel) {
 *   await pool.use(name, async (model) => { for (const p of prompts) await model.generate(p); });
 * }
 * A model held (inside `use`, or between `acquire` and `release`) is never unloaded; a caller
 * holding one model and acquiring another that does not fit beside it waits for a release.
 */
export class ModelPool {
  readonly counts: PoolCounts = { loads: 0, unloads: 0, perModel: {} };
  readonly memoryBudgetBytes: number;
  readonly #entries = new Map<string, ModelConfig>();
  readonly #slots = new Map<string, Slot>();
  readonly #options: ModelPoolOptions;
  readonly #recorded = new Set<string>();
  #waiters: Array<() => void> = [];
  #tick = 0;

  constructor(options: ModelPoolOptions = {}) {
    this.#options = options;
    for (const [name, entry] of Object.entries(options.models ?? {}))
      this.#entries.set(name, entry);
    this.memoryBudgetBytes =
      options.memoryBudgetMB !== undefined ? options.memoryBudgetMB * 2 ** 20 : totalmem() / 2;
  }

  /** Every model name the pool knows (configured and added). */
  names(): string[] {
    return [...this.#entries.keys()];
  }

  has(name: string): boolean {
    return this.#entries.has(name);
  }

  /**
   * The entry for `name`.
   * @throws ConfigError listing the known names.
   */
  entry(name: string): ModelConfig {
    const entry = this.#entries.get(name);
    if (entry) return entry;
    const known = this.names();
    throw new ConfigError(
      `unknown model "${name}"; ${known.length > 0 ? `known models: ${known.join(", ")}` : "no models are configured (pass --model or --config)"}`,
      `models.${name}`,
    );
  }

  /** Names of the models tagged with `role` in the config, in config order. */
  namesWithRole(role: string): string[] {
    return this.names().filter((name) => this.#entries.get(name)?.roles?.includes(role));
  }

  /** Adds (or replaces, while not loaded) a named model. */
  add(name: string, entry: ModelConfig): void {
    if (this.#slots.has(name))
      throw new UsageError(`model "${name}" is loaded; unload it before redefining it`);
    this.#entries.set(name, entry);
  }

  /**
   * Registers a `--model` value and returns its pool name. With `baseURL` (one, or a list of
   * replicas) it is the server's model name (openai engine); otherwise a configured name is used
   * as is, and anything else is a GGUF path, cached name or hf: ref (llamacpp engine). `extra`
   * adds LoRA adapters, context size...
   */
  addFromFlag(
    ref: string,
    options: { baseURL?: string | readonly string[]; extra?: Partial<ModelConfig> } = {},
  ): string {
    const extra = options.extra ?? {};
    if (options.baseURL !== undefined) {
      const urls = typeof options.baseURL === "string" ? [options.baseURL] : [...options.baseURL];
      const baseURL = urls.length === 1 ? urls[0]! : urls;
      const name = this.#entries.has(ref) ? `${ref}@${urls[0]}` : ref;
      this.add(name, { engine: "openai", baseURL, model: ref, ...extra });
      return name;
    }
    const configured = this.#entries.get(ref);
    if (configured) {
      if (Object.keys(extra).length > 0) this.add(ref, { ...configured, ...extra });
      return ref;
    }
    this.add(ref, { engine: "llamacpp", file: ref, ...extra });
    return ref;
  }

  /** Whether `name` is loaded (or loading) now. */
  isLoaded(name: string): boolean {
    return this.#slots.has(name);
  }

  /** Names loaded now, least recently used first. */
  loaded(): string[] {
    return [...this.#slots.values()].sort((a, b) => a.lastUsed - b.lastUsed).map((s) => s.name);
  }

  /** Estimated bytes of the local models loaded now. */
  residentBytes(): number {
    let sum = 0;
    for (const slot of this.#slots.values()) sum += slot.bytes ?? 0;
    return sum;
  }

  /**
   * Loads `name` if needed and holds it until `release(name)`.
   * @throws ConfigError for an unknown name; the engine's error when loading fails.
   */
  async acquire(name: string): Promise<LanguageModel> {
    const entry = this.entry(name);
    let slot = this.#slots.get(name);
    if (!slot) {
      const created: Slot = {
        name,
        refs: 0,
        lastUsed: 0,
        bytes: undefined,
        ready: Promise.resolve(undefined as unknown as LanguageModel),
      };
      created.ready = this.#load(created, entry);
      // Failed loads leave no slot behind, so the next acquire tries again.
      created.ready.catch(() => {
        if (this.#slots.get(name) === created) this.#slots.delete(name);
        this.#wake();
      });
      this.#slots.set(name, created);
      slot = created;
    }
    slot.refs++;
    slot.lastUsed = ++this.#tick;
    try {
      return await slot.ready;
    } catch (error) {
      slot.refs--;
      throw error;
    }
  }

  /** Ends one hold on `name`; an unheld model stays loaded until room is needed. */
  release(name: string): void {
    const slot = this.#slots.get(name);
    if (!slot || slot.refs === 0) return;
    slot.refs--;
    if (slot.refs === 0) this.#wake();
  }

  /** Holds `name` for the duration of `fn`. */
  async use<T>(name: string, fn: (model: LanguageModel) => Promise<T>): Promise<T> {
    const model = await this.acquire(name);
    try {
      return await fn(model);
    } finally {
      this.release(name);
    }
  }

  /**
   * Frees `name` now.
   * @throws UsageError while it is held.
   */
  async unload(name: string): Promise<void> {
    const slot = this.#slots.get(name);
    if (!slot) return;
    if (slot.refs > 0)
      throw new UsageError(`model "${name}" is in use; release it before unloading it`);
    await this.#unloadSlot(slot);
  }

  /** Unloads every model (waiting for loads in progress). Call when the run ends. */
  async close(): Promise<void> {
    for (const slot of [...this.#slots.values()]) {
      await slot.ready.catch(() => undefined);
      await this.#unloadSlot(slot);
    }
  }

  async #load(slot: Slot, entry: ModelConfig): Promise<LanguageModel> {
    const { name } = slot;
    let file: string | undefined;
    let identity: string;
    let loraPart = "";
    let record: RunModelRecord;
    const wantHashes = this.#options.middleware?.cache !== undefined || !!this.#options.onFirstLoad;
    if (entry.engine === "llamacpp") {
      const resolve = this.#options.resolveFile ?? resolveWithModelFiles;
      file = await resolve(entry.file!, {
        ...(this.#options.cacheDir !== undefined ? { cacheDir: this.#options.cacheDir } : {}),
      });
      const adapters = entry.lora ?? [];
      slot.bytes =
        (fileSize(file, name, "file") +
          adapters.reduce((sum, a) => sum + fileSize(a.path, name, "lora"), 0)) *
        overheadFactor;
      await this.#makeRoom(slot);
      const sha256 = wantHashes ? await fileSha256(file, this.#options.fileHashes) : undefined;
      const lora = await Promise.all(
        adapters.map(async (a) => ({
          ...a,
          ...(wantHashes ? { sha256: await fileSha256(a.path, this.#options.fileHashes) } : {}),
        })),
      );
      identity = `gguf:${sha256 ?? file}`;
      loraPart = lora.map((a) => `+lora:${a.sha256 ?? a.path}@${a.scale ?? 1}`).join("");
      record = {
        engine: "llamacpp",
        file,
        ...(sha256 ? { sha256 } : {}),
        ...(lora.length > 0 ? { lora } : {}),
      };
    } else {
      slot.bytes = 0;
      const urls = typeof entry.baseURL === "string" ? [entry.baseURL] : [...entry.baseURL!];
      // Never the replica that answered: a named revision, else the set of URLs (any order).
      identity =
        entry.revision !== undefined
          ? `${entry.model}@${entry.revision}`
          : `${[...urls].sort().join(",")}#${entry.model}`;
      record = {
        engine: "openai",
        baseURL: urls[0]!,
        ...(urls.length > 1 ? { replicas: urls } : {}),
        model: entry.model!,
        ...(entry.revision !== undefined ? { revision: entry.revision } : {}),
      };
    }
    const loader = this.#options.loader ?? loadWithEngine;
    const inner = await loader({ name, entry, ...(file !== undefined ? { file } : {}) });
    this.counts.loads++;
    this.#perModel(name).loads++;
    if (!this.#recorded.has(name)) {
      this.#recorded.add(name);
      this.#options.onFirstLoad?.(name, record);
    }
    slot.inner = inner;
    slot.model = wrapModel(inner, {
      ...this.#options.middleware,
      name,
      // A model that reports its adapters (and may swap them) has them appended per call.
      cacheIdentity: inner.lora !== undefined ? identity : identity + loraPart,
      ...(entry.sampling ? { defaults: entry.sampling } : {}),
      closeInner: false,
    });
    return slot.model;
  }

  /** Unloads idle local models, least recently used first, until `slot` fits the budget. */
  async #makeRoom(slot: Slot): Promise<void> {
    for (;;) {
      const others = [...this.#slots.values()].filter((s) => s !== slot && (s.bytes ?? 0) > 0);
      const used = others.reduce((sum, s) => sum + (s.bytes ?? 0), 0);
      // A model bigger than the whole budget may still load when it is alone.
      if (used + (slot.bytes ?? 0) <= this.memoryBudgetBytes || others.length === 0) return;
      const idle = others
        .filter((s) => s.refs === 0 && s.inner !== undefined)
        .sort((a, b) => a.lastUsed - b.lastUsed);
      const victim = idle[0];
      if (victim) await this.#unloadSlot(victim);
      else await new Promise<void>((wake) => this.#waiters.push(wake));
    }
  }

  async #unloadSlot(slot: Slot): Promise<void> {
    if (this.#slots.get(slot.name) !== slot) return;
    this.#slots.delete(slot.name);
    if (slot.inner) {
      await slot.inner.close?.();
      this.counts.unloads++;
      this.#perModel(slot.name).unloads++;
    }
    this.#wake();
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  #perModel(name: string): { loads: number; unloads: number } {
    this.counts.perModel[name] ??= { loads: 0, unloads: 0 };
    return this.counts.perModel[name];
  }
}

function fileSize(path: string, name: string, field: "file" | "lora"): number {
  try {
    return statSync(path).size;
  } catch {
    const what = field === "lora" ? "LoRA adapter" : "file";
    throw new ConfigError(
      `model "${name}": ${what} ${path} does not exist; check the path (--${field === "lora" ? "lora" : "model"} or the config's ${field} field)`,
      `models.${name}.${field}`,
    );
  }
}
