export {
  HttpRewardModel,
  type HttpRewardModelOptions,
  type RewardCache,
  sigmoid,
} from "./http-reward-model.ts";
export {
  LikelihoodRewardModel,
  type LikelihoodRewardModelOptions,
} from "./likelihood-reward-model.ts";
export { LlmJudge, type LlmJudgeOptions } from "./llm-judge.ts";
export { type MathShepherdOptions, MathShepherdPrm } from "./math-shepherd-prm.ts";
export { OutcomeAsProcess } from "./outcome-as-process.ts";
export type {
  OutcomeInput,
  OutcomeRewardModel,
  ProcessInput,
  ProcessRewardModel,
} from "./reward-model.ts";
