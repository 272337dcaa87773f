import type { GenerateRequest, GenerateResult, LanguageModel } from "../../model/language-model.ts";

/** Tokens and calls spent by one task. */
export interface CallUsage {
  inputTokens: number;
  outputTokens: number;
  calls: number;
}

/**
 * Wraps a model for one task: every call gets the next seed (so runs are reproducible and
 * cacheable) and its usage is added up.
 */
export class ModelCalls {
  readonly usage: CallUsage = { inputTokens: 0, outputTokens: 0, calls: 0 };
  #seed: number;

  constructor(
    seed: number,
    readonly signal?: AbortSignal,
  ) {
    this.#seed = seed;
  }

  async generate(model: LanguageModel, request: GenerateRequest): Promise<GenerateResult> {
    const result = await model.generate({
      ...request,
      seed: this.#seed++,
      ...(this.signal ? { signal: this.signal } : {}),
    });
    this.usage.inputTokens += result.usage.inputTokens;
    this.usage.outputTokens += result.usage.outputTokens;
    this.usage.calls++;
    return result;
  }
}
