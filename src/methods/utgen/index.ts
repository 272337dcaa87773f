export type { DebugTask } from "./debug-task.ts";
export { debugTaskFromItem } from "./debug-task-from-item.ts";
export { buildUnitTests, type GeneratedTest, selfConsistentOutput } from "./generate-unit-tests.ts";
export { hiddenTestProgram, runHiddenTests } from "./hidden-tests.ts";
export { type IntrinsicScores, intrinsicEval, scoreUnitTests } from "./intrinsic-metrics.ts";
export { majorityVote } from "./majority-vote.ts";
export { selfDebug } from "./self-debug.ts";
export {
  generateUtgenExamples,
  type TrainingProblem,
  type UtgenExample,
  writeSftJsonl,
} from "./training-data.ts";
export { mbppTrainingProblems } from "./training-problems.ts";
export { type UnitTest, UtHarness } from "./ut-harness.ts";
export { type RoundTrace, type UtDebugResult, utDebug } from "./utdebug.ts";
export {
  defaultUtDebugConfig,
  resolveUtDebugConfig,
  type UtDebugConfig,
  type UtSource,
} from "./utdebug-config.ts";
