import { existsSync } from "node:fs";
import { join } from "node:path";
import { UsageError } from "../../model/errors.ts";
import type { LanguageModel } from "../../model/language-model.ts";
import type { ModelConfig } from "../config.ts";
import { AnswerStore } from "./answer-store.ts";
import type { BatchInputLine } from "./batch-format.ts";
import { type BatchDispatch, createBatchModel } from "./batch-model.ts";
import { OfflineExport } from "./offline-export.ts";
import { offlineRetry, onlineRetry } from "./retry-rule.ts";

/** `--batch`: offline export/import rounds, or the online Batch API. */
export type BatchMode = "offline" | "online";

/** The folder of a run's batches: `<run>/batch`. */
export function batchDir(runDir: string): string {
  return join(runDir, "batch");
}

/** Whether a run folder has taken batch answers (so a resume without `--batch` reuses them). */
export function hasBatches(runDir: string): boolean {
  return existsSync(join(batchDir(runDir), "answers.jsonl"));
}

export interface BatchSessionOptions {
  runDir: string;
  /** Undefined: a resume without `--batch`, answering from the run's batches and calling the rest. */
  mode?: BatchMode;
  /** Requests per offline file. */
  maxLines?: number;
  /**
   * Online only: the submitter for a model's server; it resolves once the request's answer (or
   * failure) is in the answer store.
   */
  submitterFor?: (entry: ModelConfig) => (line: BatchInputLine) => Promise<void>;
  /** Online only: waits for the batches in flight and stops polling. */
  closeOnline?: () => Promise<void>;
}

/**
 * A run's batch side: the answers its batches brought back, the offline round being collected,
 * and `wrap`, which puts every openai-engine model of the pool behind a batch model.
 */
export class BatchSession {
  readonly dir: string;
  readonly mode: BatchMode | undefined;
  readonly answers: AnswerStore;
  readonly pending = new OfflineExport();
  readonly #options: BatchSessionOptions;

  constructor(options: BatchSessionOptions) {
    this.dir = batchDir(options.runDir);
    this.mode = options.mode;
    this.answers = new AnswerStore(join(this.dir, "answers.jsonl"));
    this.#options = options;
  }

  /**
   * The pool's wrapper for loaded models: openai-engine entries go through the batches; others
   * (local GGUF) are refused in batch mode and left alone otherwise.
   * @throws UsageError for a local model under `--batch`.
   */
  wrap(model: LanguageModel, loaded: { name: string; entry: ModelConfig }): LanguageModel {
    const { entry } = loaded;
    if (entry.engine !== "openai") {
      if (this.mode)
        throw new UsageError(
          `--batch ${this.mode}: model "${loaded.name}" is a local model; batches need openai-engine models (--base-url or a config entry with engine "openai")`,
        );
      return model;
    }
    const flavor =
      entry.flavor !== undefined && entry.flavor !== "auto"
        ? entry.flavor
        : this.mode === "offline"
          ? "vllm"
          : "openai";
    let dispatch: BatchDispatch;
    if (this.mode === "offline") dispatch = { mode: "offline", add: (l) => this.pending.add(l) };
    else if (this.mode === "online") {
      const submitterFor = this.#options.submitterFor;
      if (!submitterFor) throw new Error("an online batch session needs a submitter");
      dispatch = { mode: "online", submit: submitterFor(entry) };
    } else dispatch = { mode: "direct" };
    return createBatchModel({
      inner: model,
      serverModel: entry.model!,
      flavor,
      ...(entry.api !== undefined ? { api: entry.api } : {}),
      answers: this.answers,
      dispatch,
      retry: this.mode === "offline" ? offlineRetry : onlineRetry,
    });
  }

  /** Offline: writes the round's requests; returns the files (none when nothing waits). */
  async finishRound(): Promise<string[]> {
    return this.pending.write(this.dir, this.#options.maxLines ?? 5000);
  }

  async close(): Promise<void> {
    try {
      await this.#options.closeOnline?.();
    } finally {
      this.answers.close();
    }
  }
}
