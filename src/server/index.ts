export {
  type ChorusServer,
  type ChorusServerOptions,
  createChorusServer,
} from "./chorus-server.ts";
export { HttpError } from "./http-error.ts";
export { type ServedModels, staticModels } from "./model-source.ts";
export {
  loadServedMethods,
  type MethodSettings,
  type ServedMethods,
  servableMethods,
  type VirtualModel,
} from "./served-methods.ts";
