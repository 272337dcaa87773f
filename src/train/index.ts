/**
 * chorus's trainer: a llama/qwen2 transformer with exact forward and backward passes in
 * TypeScript, LoRA, AdamW, the losses the methods need, and GGUF LoRA export. See
 * docs/training.md.
 */
export { AdamW, type AdamWOptions, gradNorm, scaleGrads, zeroGrads } from "./adamw.ts";
export type { Arr } from "./array.ts";
export { checkpointFile, loadCheckpoint, saveCheckpoint, type TrainState } from "./checkpoint.ts";
export {
  type ChatDpoRecord,
  type DpoRecord,
  encodePromptCompletion,
  type Located,
  parseDpoRecords,
  parseSftRecords,
  readJsonl as readTrainingJsonl,
  type SftRecord,
  type TextDpoRecord,
  type TokenizeOptions,
  tokenizeDpo,
  tokenizeSft,
  toOpenAiJsonl,
  toTrlJsonl,
} from "./data.ts";
export {
  batchedGemm,
  configureGemm,
  type GemmOptions,
  type GemmStats,
  type GraphInput,
  gemm,
  gemmOptions,
  gemmStats,
  ortAvailable,
  resetGemmStats,
  runGraph,
} from "./gemm.ts";
export {
  type GreedyOptions,
  generateGreedy,
  generateGreedyBatch,
  generateGreedyEach,
} from "./generate.ts";
export { retainFreedHeap } from "./heap-retention.ts";
export type { Linear, LoraAdapter } from "./linear.ts";
export {
  type LoadedTransformer,
  type LoadTransformerOptions,
  loadTransformer,
} from "./load-gguf.ts";
export { addLora, type LoraConfig, loraAdapters, removeLora, resolveLoraTargets } from "./lora.ts";
export { exportLoraAdapter } from "./lora-export.ts";
export {
  dpoLoss,
  gradientAscentLoss,
  gradientDifferenceLoss,
  npoLoss,
  type PreferenceScores,
  sftLoss,
  type TokenGrads,
  type TokenLossResult,
  type TokenScores,
  tokenCrossEntropy,
} from "./losses.ts";
export { type LrSchedule, learningRate } from "./lr-schedule.ts";
export { exportFullModel } from "./model-export.ts";
export { withModelLock } from "./model-lock.ts";
export {
  dpoObjective,
  type ForgetRetainPair,
  gradientAscentObjective,
  gradientDifferenceObjective,
  npoObjective,
  type PreferencePair,
  type SignedExample,
  sftObjective,
  tokenObjective,
} from "./objectives.ts";
export { enableGrad, type Param } from "./param.ts";
export { randomTransformer } from "./random-model.ts";
export { ReferenceLogProbs, withoutLora, withWeights } from "./reference-logprobs.ts";
export { refusalRecords } from "./refusal.ts";
export { defaultMaxRows } from "./score-and-backprop.ts";
export {
  type BatchScores,
  type SequenceScores,
  scoreSequence,
  scoreSequences,
  sumGrads,
  type TokenizedExample,
} from "./sequence-scores.ts";
export { loadTokenizer, type TrainTokenizer } from "./tokenizer.ts";
export {
  type Objective,
  type ObjectiveResult,
  type StepContext,
  type StepInfo,
  type TrainOptions,
  type TrainResult,
  trainLoop,
} from "./train-loop.ts";
export {
  type DpoData,
  type DpoSettings,
  type ExampleOptions,
  type FitOptions,
  type SftData,
  Trainable,
  type TrainableOptions,
} from "./trainable.ts";
export { TrainableSession } from "./trainable-session.ts";
export {
  type EpochInfo,
  type SessionOptions,
  type SessionSnapshot,
  type SessionTrainOptions,
  type SessionTrainResult,
  TrainingSession,
} from "./training-session.ts";
export {
  type BatchForwardOptions,
  type BatchForwardResult,
  type BatchScoreResult,
  type Block,
  type ForwardOptions,
  type ForwardResult,
  type KvCache,
  type LinearName,
  linearNames,
  type ResidualHook,
  Transformer,
  type TransformerConfig,
} from "./transformer.ts";
export {
  checkSnapshotFits,
  restoreParams,
  snapshotParams,
  type WeightsSnapshot,
} from "./weights-snapshot.ts";
export { loadSnapshot, saveSnapshot } from "./weights-snapshot-file.ts";
