export {
  type AggregationItem,
  buildAggregationBenchmark,
  pickAggregator,
} from "./aggregator-selection.ts";
export {
  bestSingleKMethod,
  bestSingleModel,
  moaAllMethod,
  type Recruiter,
  randomKMethod,
  recruitedMethod,
} from "./baselines.ts";
export { type BatchPlan, buildBatchPlan, type PlannedSlot, runBatchPlan } from "./batch-plan.ts";
export { type Embedder, lexicalEmbedder, mapKeywords, modelEmbedder } from "./keyword-matcher.ts";
export { filterKeywords, keywordMessages, parseKeywords } from "./keywords.ts";
export { loadProfileFile, type MoeProfileFile, saveProfileFile } from "./profile-store.ts";
export { buildProfiles, globalCompetence, type ModelProfile } from "./profiles.ts";
export {
  aggregatorPrompt,
  expertPrompt,
  keywordPrompt,
  type MoeFormat,
  type MoePrompt,
} from "./prompt-format.ts";
export { pruneRareExperts, type Recruitment, recruitExperts } from "./recruit.ts";
export { type MoeSettings, majorityAggregator, readMoeSettings } from "./settings.ts";
export {
  annotateKeywords,
  buildMoeProfile,
  type MoeInstanceResult,
  type MoeRuntime,
  parseMoeAnswer,
  runSymbolicMoe,
} from "./symbolic-moe.ts";
