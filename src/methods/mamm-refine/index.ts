export { type AgentAnswer, parseAgentAnswer } from "./agent-answer.ts";
export { CallLedger } from "./call-ledger.ts";
export {
  type CollaborationResult,
  type CollaborationSetup,
  type CollaborationTask,
  collaborate,
  type Framing,
  rerankQuestion,
} from "./collaborate.ts";
export {
  type DebateOptions,
  type DebateOutcome,
  type DebateQuestion,
  type DebateRound,
  type DebateVote,
  debate,
} from "./debate.ts";
export {
  dcrMethod,
  type MammEvalSettings,
  mammRefineMethod,
  noRefineMethod,
  readMammSettings,
} from "./eval-method.ts";
export {
  type Label,
  type MammRefineConfig,
  type MammRefineInput,
  type MammRefineResult,
  mammRefine,
  type StageSetup,
} from "./mamm-refine.ts";
export { englishJsonPrompts, type MammPromptSet, type ShownAnswer } from "./prompt-set.ts";
export { readSourceSummaryPairs, type SourceSummaryPair } from "./source-summary-file.ts";
export { stripPreamble } from "./strip-preamble.ts";
