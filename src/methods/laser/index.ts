export { type ArmStrategy, fixedArms, parseArmStrategy, strategyName } from "./arm-strategy.ts";
export { batchContext, normaliseL2, projectedMean, RandomProjection } from "./batch-context.ts";
export { type BestOfNOptions, type BestOfNOutcome, bestOfN } from "./best-of-n.ts";
export {
  type AccuracyReport,
  type AnswerReading,
  accuracyOf,
  evaluateGreedy,
  finalAnswer,
  type ItemOutcome,
  judgeResponse,
} from "./evaluate.ts";
export {
  batchFamily,
  type LaserItem,
  makeBatches,
  readLaserItems,
  reasoningTemplate,
} from "./laser-items.ts";
export { type ArmCalls, type LaserState, readState } from "./laser-state.ts";
export {
  type LaserTrainOptions,
  type LaserTrainReport,
  laserDefaults,
  laserTrain,
} from "./laser-train.ts";
export { LinUcb, type LinUcbOptions, type LinUcbState } from "./linucb.ts";
export type { LaserPolicy, SampleOptions, TextPair } from "./policy.ts";
export { promptPairs, type ResponsePair, type ScoredResponse } from "./preference-pairs.ts";
export { percentileSorted, quantileNormalise } from "./reward-normalisation.ts";
export {
  type BatchRecord,
  type SelectionSummary,
  selectionCsv,
  summariseSelection,
} from "./selection-report.ts";
export { ServedPolicy } from "./served-policy.ts";
export { TrainablePolicy, type TrainablePolicyOptions } from "./trainable-policy.ts";
