export {
  type DownloadOptions,
  type DownloadProgress,
  type DownloadResult,
  downloadFile,
} from "./download-file.ts";
export {
  formatHfReference,
  type HfReference,
  hfDownloadUrl,
  isHfReference,
  parseHfReference,
} from "./hf-reference.ts";
export { type CachedModel, findCachedModels, listCachedModels, modelsDir } from "./model-cache.ts";
export { type ModelInfo, readModelInfo } from "./model-info.ts";
export {
  hfEndpoint,
  pullModel,
  pullUrl,
  type ResolveModelFileOptions,
  resolveModelFile,
} from "./resolve-model-file.ts";
