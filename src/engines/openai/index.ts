export { createOpenAIModel, type OpenAIModelOptions } from "./create-openai-model.ts";
export { readLogprobs } from "./logprobs-mapping.ts";
export type { FlavorOption, ServerFlavor } from "./server-flavor.ts";
