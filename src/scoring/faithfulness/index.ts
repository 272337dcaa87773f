export {
  type FaithfulnessResult,
  FaithfulnessScorer,
  type FaithfulnessScorerOptions,
  type SentenceFaithfulness,
} from "./faithfulness-scorer.ts";
export { HttpNliJudge, type HttpNliJudgeOptions } from "./http-nli-judge.ts";
export { LlmSupportJudge, type LlmSupportJudgeOptions } from "./llm-support-judge.ts";
export { splitSentences } from "./split-sentences.ts";
export type { SupportJudge, SupportQuery, SupportVerdict } from "./support-judge.ts";
