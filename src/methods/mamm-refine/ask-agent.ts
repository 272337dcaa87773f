import type { GenerateRequest, LanguageModel } from "../../model/language-model.ts";
import type { CallLedger } from "./call-ledger.ts";

/** Per-call settings shared by every stage. */
export interface AgentCallSettings {
  /** Default 1000 (the reference's max_tokens). */
  maxTokens: number;
  /** Undefined: the engine's default temperature, as the reference uses the provider default. */
  temperature?: number;
  /** Base seed; agent i samples with seed + i so two instances of one model differ. */
  seed?: number;
  /** "chat" (one user message, the default) or "completion" (the raw prompt, for base models). */
  request?: "chat" | "completion";
  /** Stop strings for every call. */
  stop?: readonly string[];
}

/**
 * One agent call: a single user message, no system prompt (or the raw prompt for completion
 * prompt sets). Returns the text (empty when the
 * engine returned no generation) and books the call under `stage`.
 */
export async function askAgent(
  model: LanguageModel,
  prompt: string,
  settings: AgentCallSettings & { agentIndex: number; stage: string; ledger: CallLedger },
  extra: Pick<GenerateRequest, "jsonSchema" | "signal"> = {},
): Promise<string> {
  const request: GenerateRequest = {
    ...(settings.request === "completion"
      ? { prompt }
      : { messages: [{ role: "user" as const, content: prompt }] }),
    maxTokens: settings.maxTokens,
    ...(settings.stop ? { stop: [...settings.stop] } : {}),
    ...extra,
  };
  if (settings.temperature !== undefined) request.temperature = settings.temperature;
  if (settings.seed !== undefined && model.capabilities.seed)
    request.seed = settings.seed + settings.agentIndex;
  if (request.jsonSchema && !model.capabilities.jsonSchema) delete request.jsonSchema;
  const result = await model.generate(request);
  settings.ledger.add(settings.stage, result.usage);
  return result.generations[0]?.text ?? "";
}
