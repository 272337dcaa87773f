export {
  type Script,
  ScriptedModel,
  type ScriptedModelOptions,
  type ScriptedReply,
} from "./scripted-model.ts";
