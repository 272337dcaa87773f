export {
  type AggregationItem,
  buildAggregationBenchmark,
  pickAggregator,
} from "./aggregator-selection.ts";
export { type BatchPlan, buildBatchPlan, type PlannedSlot, runBatchPlan } from "./batch-plan.ts";
export { type Embedder, lexicalEmbedder, mapKeywords, modelEmbedder } from "./keyword-matcher.ts";
export { filterKeywords, keywordMessages, parseKeywords } from "./keywords.ts";
export { loadProfileFile, type MoeProfileFile, saveProfileFile } from "./profile-store.ts";
export { buildProfiles, globalCompetence, type ModelProfile } from "./profiles.ts";
export { pruneRareExperts, type Recruitment, recruitExperts } from "./recruit.ts";
export { type MoeSettings, readMoeSettings } from "./settings.ts";
export {
  annotateKeywords,
  buildMoeProfile,
  type MoeInstanceResult,
  type MoeRuntime,
  parseMoeAnswer,
  runSymbolicMoe,
} from "./symbolic-moe.ts";
