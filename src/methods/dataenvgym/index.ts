export { AbacusDataEngine, type AbacusEngineOptions } from "./abacus-engine.ts";
export { type AbacusSubskill, abacusSubskills, subskillOf } from "./abacus-subskills.ts";
export { AbacusTask, abacusPrompt, abacusResponse } from "./abacus-task.ts";
export { allocate } from "./allocate.ts";
export { type CodeProblem, CodeTask, codeInstruction, mbppProblems } from "./code-task.ts";
export { CopyErrorsAgent } from "./copy-errors-agent.ts";
export { type DataEngine, type DraftDatum, nameData } from "./data-engine.ts";
export {
  type EnvironmentOptions,
  GymEnvironment,
  type Observation,
  type TrainOn,
} from "./environment.ts";
export {
  type EpisodeOptions,
  type EpisodeResult,
  runEpisode,
  type StopCheck,
} from "./episode.ts";
export { errorsOf, evaluateTask, performanceReport } from "./evaluate.ts";
export {
  type AgentSettings,
  type GymEnvironmentName,
  type GymSplits,
  gymEnvironments,
  labelledSkills,
  loadGymSplits,
  makeAgent,
  type SkillTreePolicyName,
  type SplitOptions,
  skillTreePolicies,
} from "./gym-setup.ts";
export { LlmDataEngine, type LlmEngineOptions } from "./llm-engine.ts";
export { LoraStudent, type LoraStudentOptions } from "./lora-student.ts";
export { finalAnswerLine, MathTask, mathTarget } from "./math-task.ts";
export { OpenEndedAgent, type OpenEndedOptions } from "./open-ended-agent.ts";
export { checkQuality, passedData, type QualityCheckOptions } from "./quality-check.ts";
export { type CycleRecord, EpisodeFolder, type SavedEpisode } from "./run-folder.ts";
export { type DiscoveredSkills, LabelSkills, LlmSkillDiscovery } from "./skill-discovery.ts";
export { SkillListAgent, type SkillListOptions } from "./skill-list-agent.ts";
export * from "./skill-tree.ts";
export { SkillTreeAgent, type SkillTreeOptions } from "./skill-tree-agent.ts";
export {
  AlternatingExploreExploit,
  allocatedSoFar,
  FillBalancedSkillTree,
  RandomExploreExploit,
  type SkillTreePolicy,
  WeaknessPolicy,
} from "./skill-tree-policies.ts";
export { ConstantStudent, LookupStudent } from "./stub-students.ts";
export { askTeacher, type TeacherCallOptions } from "./teacher-call.ts";
export {
  type ArmRun,
  type ArmVerdict,
  type ComparisonReport,
  type ComparisonSettings,
  compareTeachers,
  type TeacherArm,
} from "./teacher-comparison.ts";
export type { DatumKind } from "./teacher-prompts.ts";
export type * from "./types.ts";
export { UniformAgent } from "./uniform-agent.ts";
