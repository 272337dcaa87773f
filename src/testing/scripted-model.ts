import { CapabilityError, ChorusError } from "../model/errors.ts";
import type {
  Capabilities,
  GenerateRequest,
  GenerateResult,
  Generation,
  LanguageModel,
  ScoreRequest,
  ScoreResult,
  TokenLogprob,
} from "../model/language-model.ts";

/** One scripted answer: a text, n texts, or full generations (with logprobs). */
export type ScriptedReply = string | string[] | { generations: Generation[] };

/** Either a fixed queue of replies, or a function of the request (for order-independent logic). */
export type Script =
  | readonly ScriptedReply[]
  | ((request: GenerateRequest, callIndex: number) => ScriptedReply);

export interface ScriptedModelOptions {
  id?: string;
  script: Script;
  /** Teacher-forced scores; omit and `score` reports the capability as missing. */
  score?: (request: ScoreRequest) => TokenLogprob[];
  capabilities?: Partial<Capabilities>;
  /** Called before each reply: throw (e.g. assert) to fail the test on an unexpected request. */
  onCall?: (request: GenerateRequest, callIndex: number) => void;
}

const scriptedCapabilities: Capabilities = {
  logprobs: "top-k",
  maxTopLogprobs: 20,
  score: false,
  n: true,
  seed: true,
  jsonSchema: true,
  rawPrompt: true,
  decoder: false,
  internals: false,
  lora: false,
  // off by default, as on most servers; `capabilities: { minTokens: true }` turns it on
  minTokens: false,
};

/**
 * A deterministic model for unit tests of method logic: replies come from a script, every request
 * is recorded in `calls`. Never used by the CLI.
 */
export class ScriptedModel implements LanguageModel {
  readonly id: string;
  readonly provider = "scripted";
  readonly capabilities: Capabilities;
  readonly calls: GenerateRequest[] = [];
  readonly scoreCalls: ScoreRequest[] = [];
  readonly #options: ScriptedModelOptions;

  constructor(options: ScriptedModelOptions) {
    this.#options = options;
    this.id = options.id ?? "scripted";
    this.capabilities = {
      ...scriptedCapabilities,
      score: options.score !== undefined,
      ...options.capabilities,
    };
    // Without a score script the model has no `score` at all, as an engine lacking it would.
    if (!options.score) Object.defineProperty(this, "score", { value: undefined });
  }

  /**
   * Records the request (with `minTokens` and every other field) in `calls`. A request with
   * `minTokens` > 0 to a model without the capability is a CapabilityError, as on the engines; with
   * it, the scripted replies are returned as they are (the script decides their length).
   */
  async generate(request: GenerateRequest): Promise<GenerateResult> {
    if ((request.minTokens ?? 0) > 0 && !this.capabilities.minTokens)
      throw new CapabilityError(this.id, "minTokens", ["llamacpp", "openai flavour vllm"]);
    const index = this.calls.length;
    this.calls.push(request);
    this.#options.onCall?.(request, index);
    const { script } = this.#options;
    let reply: ScriptedReply | undefined;
    if (typeof script === "function") reply = script(request, index);
    else {
      reply = script[index];
      if (reply === undefined)
        throw new ChorusError(
          `scripted model "${this.id}" has no reply for call #${index + 1} (script has ${script.length})`,
        );
    }
    const generations = toGenerations(reply, request.n ?? 1);
    const outputTokens = generations.reduce((sum, g) => sum + countWords(g.text), 0);
    return {
      generations,
      usage: { inputTokens: countWords(promptText(request)), outputTokens },
    };
  }

  async score(request: ScoreRequest): Promise<ScoreResult> {
    const scorer = this.#options.score;
    if (!scorer) throw new ChorusError(`scripted model "${this.id}" has no score script`);
    this.scoreCalls.push(request);
    const tokens = scorer(request);
    return {
      tokens,
      total: tokens.reduce((sum, t) => sum + t.logprob, 0),
      usage: { inputTokens: 0, outputTokens: tokens.length },
    };
  }
}

function toGenerations(reply: ScriptedReply, n: number): Generation[] {
  if (typeof reply === "string") {
    return Array.from({ length: n }, () => ({ text: reply, finishReason: "stop" as const }));
  }
  if (Array.isArray(reply)) return reply.map((text) => ({ text, finishReason: "stop" as const }));
  return reply.generations;
}

function promptText(request: GenerateRequest): string {
  return request.prompt ?? (request.messages ?? []).map((m) => m.content).join("\n");
}

/** Token counts for usage are approximated by whitespace words: enough for budget tests. */
function countWords(text: string): number {
  const trimmed = text.trim();
  return trimmed === "" ? 0 : trimmed.split(/\s+/).length;
}
