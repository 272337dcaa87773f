export * from "./answers/index.ts";
export { bootstrapMean, type Interval } from "./bootstrap.ts";
export * from "./datasets/index.ts";
export type { EvalItem } from "./eval-item.ts";
export type { EvalContext, EvalMethod, ItemUsage, MethodOutput } from "./eval-method.ts";
export { type EvalMethodEntry, evalMethods, loadEvalMethod } from "./eval-methods.ts";
export type { EvalRecord } from "./eval-record.ts";
export {
  type EvalReport,
  type MethodSummary,
  reportMarkdown,
  summarize,
  writeReport,
} from "./eval-report.ts";
export { hierarchicalBootstrapMean } from "./hierarchical-bootstrap.ts";
export { type ModelSource, staticModelSource } from "./model-source.ts";
export { poolModelSource } from "./pool-model-source.ts";
export { type RunEvalOptions, type RunEvalResult, runEval } from "./run-eval.ts";
export { sharedDir, sharedFile } from "./shared-dir.ts";
