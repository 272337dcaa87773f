export { deletionUtilityAuc, type TradeoffPoint } from "./deletion-utility-auc.ts";
export { IsolationForest, isolationForestOutliers } from "./isolation-forest.ts";
export {
  type CoresetSelection,
  type ForgetItem,
  forgetFeatures,
  loadSelection,
  readForgetItems,
  type SelectionEntry,
  saveSelection,
  selectCoreset,
  totalVariance,
} from "./select-coreset.ts";
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
