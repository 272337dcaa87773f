export {
  type AnswerExtractor,
  cleanExtracted,
  llmExtractor,
  transcriptExtractor,
} from "./answer-extractor.ts";
export { isCorrect, levenshteinRatio, resolveDisagree, slotCorrectness } from "./answers.ts";
export { type AreYouSureOutcome, areYouSure } from "./are-you-sure.ts";
export {
  balancePairs,
  type PairVariant,
  pairVariants,
  type SizeMatch,
  sizeMatches,
  splitTrees,
  variantPairs,
} from "./balance.ts";
export {
  type BuildPairsOptions,
  buildPairSets,
  describeDrops,
  type PairSets,
} from "./build-pairs.ts";
export { chatFormat } from "./chat-format.ts";
export { type ConfidenceProbe, confidenceProbe } from "./confidence.ts";
export type { DialogueFormat, DialoguePrompt, SpokenTurn, TurnPlan } from "./dialogue-format.ts";
export {
  type AnswerSlots,
  type DialogueTree,
  isAgreement,
  levelCounts,
  type PbtQuestion,
  pathTo,
  type TreeNode,
} from "./dialogue-tree.ts";
export { summarizeAreYouSure, summarizeDebate, summarizePersuasion } from "./eval-summary.ts";
export { type GrowNotes, type GrowOptions, growTree } from "./grow-tree.ts";
export { growTrees, summarizeTrees, type TreeSummary } from "./grow-trees.ts";
export { agrees, reannotate, verifyPair } from "./pair-filter.ts";
export { toDpoRecord, toSftRecord } from "./pair-records.ts";
export { type Persona, personaLists, personaPrompt } from "./personas.ts";
export { type PersuasionOutcome, persuasionItem, type ReplySettings } from "./persuasion-eval.ts";
export { readQuestions } from "./questions.ts";
export {
  collectPairs,
  type PairCode,
  type PairCounts,
  type PersuasionPair,
  pairThresholds,
  treePairs,
} from "./sibling-pairs.ts";
export { scoreTree } from "./subtree-score.ts";
export { type TeamDebateOutcome, teamDebate } from "./team-debate.ts";
export {
  type PbtTrainResult,
  type PbtTrainSettings,
  pbtTrainDefaults,
  trainPbt,
} from "./train-pbt.ts";
export { transcriptFormat } from "./transcript-format.ts";
