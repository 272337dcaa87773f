export type { MagicoreAgents, Tagged } from "./agents.ts";
export {
  answerConfidence,
  classifyDifficulty,
  type Difficulty,
  type EmptyMajority,
  type HardRule,
  massEntropy,
} from "./classify.ts";
export {
  type LlmAgentsOptions,
  llmAgents,
  type MinTokensMode,
  type RewardSource,
} from "./llm-agents.ts";
export {
  annotate,
  type IterationTrace,
  type MagicoreOptions,
  type MagicoreProblem,
  type MagicoreResult,
  runMagicore,
} from "./magicore.ts";
export { parseAnswer } from "./parse-answer.ts";
export { makeSolution, type RewardStats, rewardStats, type Solution } from "./solution.ts";
export { pythonRoundTenth, renderScoredSolution, splitSteps, stepScoreOutOfTen } from "./steps.ts";
export { answerMasses, majorityAnswer, topK, weightedVote } from "./vote.ts";
