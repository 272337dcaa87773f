export { deletionUtilityAuc, type TradeoffPoint } from "./deletion-utility-auc.ts";
export {
  answerNll,
  describeSet,
  type EvalRole,
  evaluateSet,
  modelUtility,
  modelUtilitySets,
  type SetDescription,
  type SetMetrics,
} from "./evaluate.ts";
export { IsolationForest, isolationForestOutliers } from "./isolation-forest.ts";
export { localOutlierFactorOutliers, negativeOutlierFactor } from "./local-outlier-factor.ts";
export { negativeMahalanobisPca2, pcaMahalanobisOutliers } from "./pca-mahalanobis.ts";
export {
  type CoresetSelection,
  type ForgetItem,
  forgetFeatures,
  loadSelection,
  type OutlierDetector,
  readForgetItems,
  type SelectionEntry,
  saveSelection,
  selectCoreset,
  totalVariance,
} from "./select-coreset.ts";
export {
  firstTokenMatch,
  harmonicMean,
  normalisedProbability,
  relativeProbability,
  truthRatio,
  truthRatioScore,
} from "./tofu-metrics.ts";
export {
  rougeRecall,
  type UnlearnEvalSets,
  type UnlearnMethod,
  type UnlearnOptions,
  type UnlearnPoint,
  type UnlearnReport,
  unlearn,
  unlearnDefaults,
} from "./unlearn.ts";
export {
  counterfactVariants,
  type EvalSetSpec,
  evalSetSpec,
  loadRefusals,
  loadUnlearningSet,
  namedSetFile,
  resolveSetFile,
  sharedRefusals,
  shortEvalNames,
} from "./unlearning-data.ts";
