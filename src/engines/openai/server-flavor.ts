/** OpenAI-compatible servers whose dialects we know. */
export type ServerFlavor = "vllm" | "llamacpp" | "ollama" | "openai";

/** What a model option may say: a known flavour, or "auto" to ask the server (`GET /models`). */
export type FlavorOption = "auto" | ServerFlavor;

/** A flavour after detection; "generic" speaks plain OpenAI and sends no extension fields. */
export type ResolvedFlavor = ServerFlavor | "generic";

/** How each dialect does the things the OpenAI API leaves open. */
export interface FlavorTraits {
  /** How a chat prefill is sent: vLLM's continue flags, a bare trailing assistant message, or not at all. */
  prefill: "continue-final-message" | "trailing-assistant" | "unsupported";
  /** `top_k` is accepted (an extension; OpenAI rejects unknown fields). */
  topK: boolean;
  /** How `score` gets prompt logprobs. */
  score: "echo" | "unsupported";
  /** Chat-message scoring through vLLM's `prompt_logprobs` and `/tokenize` with messages. */
  chatScore: boolean;
  /** The server answers one choice per request, so `n` samples are n requests. */
  oneChoicePerRequest: boolean;
  /** Raw-prompt requests can carry a JSON schema. */
  completionsJsonSchema: boolean;
  /** llama.cpp's completions take the schema as a top-level `json_schema` field. */
  jsonSchemaField: boolean;
  /** Asking for 0 alternatives returns no logprobs at all, so ask for 1 and cut. */
  needsOneTopLogprob: boolean;
  /** vLLM's `min_tokens` sampling field is honoured (EOS and stop tokens masked until then). */
  minTokens: boolean;
}

const traits: Record<ResolvedFlavor, FlavorTraits> = {
  vllm: {
    prefill: "continue-final-message",
    topK: true,
    score: "echo",
    chatScore: true,
    oneChoicePerRequest: false,
    completionsJsonSchema: true,
    jsonSchemaField: false,
    needsOneTopLogprob: false,
    minTokens: true,
  },
  llamacpp: {
    prefill: "trailing-assistant",
    topK: true,
    score: "echo",
    chatScore: false,
    oneChoicePerRequest: true,
    completionsJsonSchema: true,
    jsonSchemaField: true,
    needsOneTopLogprob: true,
    minTokens: false,
  },
  ollama: {
    prefill: "trailing-assistant",
    topK: true,
    score: "unsupported",
    chatScore: false,
    oneChoicePerRequest: true,
    completionsJsonSchema: false,
    jsonSchemaField: false,
    needsOneTopLogprob: true,
    minTokens: false,
  },
  openai: {
    prefill: "unsupported",
    topK: false,
    score: "echo",
    chatScore: false,
    oneChoicePerRequest: false,
    completionsJsonSchema: false,
    jsonSchemaField: false,
    needsOneTopLogprob: false,
    minTokens: false,
  },
  generic: {
    prefill: "trailing-assistant",
    topK: true,
    score: "echo",
    chatScore: false,
    oneChoicePerRequest: false,
    completionsJsonSchema: true,
    jsonSchemaField: false,
    needsOneTopLogprob: true,
    minTokens: false,
  },
};

/** The dialect rules for a flavour. */
export function flavorTraits(flavor: ResolvedFlavor): FlavorTraits {
  return traits[flavor];
}

/**
 * Guesses the server from its `GET /models` answer (`owned_by` is "vllm", "llamacpp", "library"
 * for Ollama, "openai"/"system" for OpenAI) and, failing that, from the URL.
 */
export function detectFlavor(modelsBody: unknown, baseURL: string): ResolvedFlavor {
  const owners = new Set<string>();
  const data = (modelsBody as { data?: unknown } | null)?.data;
  if (Array.isArray(data)) {
    for (const entry of data) {
      const owner = (entry as { owned_by?: unknown } | null)?.owned_by;
      if (typeof owner === "string") owners.add(owner.toLowerCase());
    }
  }
  // chorus serve speaks vLLM's extensions (prompt_logprobs, /tokenize, continue_final_message,
  // min_tokens), so chorus's engine talks to it as to vLLM
  if (owners.has("vllm") || owners.has("chorus")) return "vllm";
  if (owners.has("llamacpp") || owners.has("llama.cpp")) return "llamacpp";
  if (owners.has("ollama") || owners.has("library")) return "ollama";
  let url: URL | undefined;
  try {
    url = new URL(baseURL);
  } catch {
    url = undefined;
  }
  if (url?.hostname === "api.openai.com" || owners.has("openai") || owners.has("system")) {
    return "openai";
  }
  if (url?.port === "11434") return "ollama";
  return "generic";
}
