export { callCachePath, defaultCacheDir } from "./cache-dir.ts";
export { CallCache, type CallCacheStats, type CallKey } from "./call-cache.ts";
export type { CallEvent } from "./call-event.ts";
export { canonicalHash, canonicalJson } from "./canonical-json.ts";
export {
  type ChorusConfig,
  chorusConfigSchema,
  loadConfig,
  type ModelConfig,
  modelConfigFor,
  modelConfigSchema,
  parseConfig,
  type SamplingDefaults,
  samplingDefaultsSchema,
} from "./config.ts";
export {
  loadWithEngine,
  type ModelFileResolver,
  type ModelLoader,
  resolveWithModelFiles,
} from "./engine-loader.ts";
export { type FileHashStore, fileSha256 } from "./file-hash.ts";
export { currentItemId } from "./item-context.ts";
export { JsonlAppender, readJsonl } from "./jsonl-file.ts";
export {
  ModelPool,
  type ModelPoolOptions,
  type PoolCounts,
  type PoolMiddleware,
} from "./model-pool.ts";
export { ProgressLine, progressWanted } from "./progress-line.ts";
export {
  type CreateRunOptions,
  type FailureRecord,
  newRunId,
  type ResultRecord,
  Run,
  type RunManifest,
  type RunModelRecord,
} from "./run.ts";
export {
  type ItemContext,
  type RunItemsOptions,
  type RunItemsReport,
  type RunStop,
  runItems,
} from "./run-items.ts";
export { RunStats } from "./run-stats.ts";
export { TokenBudget } from "./token-budget.ts";
export { isDeterministic, type WrapModelOptions, wrapModel } from "./wrap-model.ts";
export { formatZodIssue, issuePath } from "./zod-issue.ts";
