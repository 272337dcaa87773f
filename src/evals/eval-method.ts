import type { AnswerType } from "./answers/extract-answer.ts";
import type { EvalItem } from "./eval-item.ts";
import type { ModelSource } from "./model-source.ts";

/** Tokens and model calls spent on one item. */
export interface ItemUsage {
  inputTokens: number;
  outputTokens: number;
  calls: number;
  /** Of those, calls whose results were shared with another method in this run (counted here too). */
  reusedCalls: number;
}

/** What a method returns for one item. */
export interface MethodOutput {
  /** The extracted final answer (undefined = no answer). */
  prediction: string | undefined;
  /** The final response text, when there is one. */
  response?: string;
  /** Method-specific trace: decisions, confidences, recruited experts... (kept in results.jsonl). */
  details?: Record<string, unknown>;
  /** Normally left out: the harness meters the models (see `EvalContext.forItem`). */
  usage?: ItemUsage;
  /** Set by methods that score themselves (code execution, faithfulness): in [0, 1]. */
  score?: number;
}

/** A get/set result store (the runtime's CallCache fits). */
export interface CallCacheLike {
  get<T>(key: string): T | undefined;
  set(key: string, call: { kind: string; provider: string; modelId: string }, value: unknown): void;
}

/** Everything a method gets besides the items. */
export interface EvalContext {
  models: ModelSource;
  /** The run's seed; methods derive per-item seeds from it and the item id. */
  seed: number;
  /** Method options from the CLI (`--set key=value`) or the caller. */
  options: Readonly<Record<string, unknown>>;
  dataset: { name: string; split: string; answerType: AnswerType };
  /**
   * Work shared between methods of one eval run: the first call for `key` computes, later calls
   * (e.g. the self-consistency baseline asking for MAgICoRe's k solver samples) reuse the result,
   * and its usage is counted for each method that uses it.
   */
  reuse<T>(key: string, compute: () => Promise<T>): Promise<T>;
  /**
   * Batch methods wrap each item's share of the work in `forItem(item.id, ...)` so its model
   * calls are charged to that item (runItem methods are already scoped by the harness).
   */
  forItem<T>(itemId: string, fn: () => Promise<T>): Promise<T>;
  signal?: AbortSignal;
  /** The run's persistent call cache, for clients outside the model pool (HTTP reward models). */
  callCache?: CallCacheLike;
  /** Progress lines for stderr. */
  log(message: string): void;
}

/**
 * A method the eval harness can run. Implement exactly one of `runItem` (independent items; the
 * harness runs them with concurrency, meters tokens, and resumes) or `runBatch` (methods that need
 * the whole set at once: dataset calibration, batched routing).
 */
export interface EvalMethod {
  readonly name: string;
  readonly description: string;
  /** Answer types it can handle; the harness refuses other datasets with a clear error. */
  readonly answerTypes: readonly AnswerType[];
  /** Validates `--set` options before any item runs (throw a UsageError naming the key). */
  checkOptions?(options: Readonly<Record<string, unknown>>): void;
  runItem?(item: EvalItem, context: EvalContext): Promise<MethodOutput>;
  runBatch?(items: readonly EvalItem[], context: EvalContext): Promise<MethodOutput[]>;
}
