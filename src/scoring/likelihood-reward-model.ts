import { CapabilityError } from "../model/errors.ts";
import type { LanguageModel } from "../model/language-model.ts";
import { mapLimit } from "./map-limit.ts";
import type { OutcomeInput, OutcomeRewardModel } from "./reward-model.ts";

/** Options for `LikelihoodRewardModel`. */
export interface LikelihoodRewardModelOptions {
  /** Name in reports (default `likelihood:<model id>`). */
  name?: string;
  /** The scored prompt for a question (default: the question, a newline). */
  prompt?: (input: OutcomeInput) => string;
  /** Calls in flight at once (default 4). */
  concurrency?: number;
}

/**
 * A reward model made from any LLM's likelihood, as LASeR's official code scores with chat
 * models taken from RewardBench: the mean token log-probability of the solution after the
 * question (−loss), reported as exp(mean) ∈ (0, 1], the geometric-mean token probability, so it
 * fits the [0, 1] outcome-score convention. An empty solution scores 0.
 */
export class LikelihoodRewardModel implements OutcomeRewardModel {
  readonly name: string;
  readonly #model: LanguageModel;
  readonly #options: LikelihoodRewardModelOptions;

  constructor(model: LanguageModel, options: LikelihoodRewardModelOptions = {}) {
    if (!(model.capabilities.score && model.score))
      throw new CapabilityError(model.id, "score", ["llamacpp", "openai (vLLM prompt_logprobs)"]);
    this.#model = model;
    this.#options = options;
    this.name = options.name ?? `likelihood:${model.id}`;
  }

  async scoreOutcomes(inputs: readonly OutcomeInput[], options: { signal?: AbortSignal } = {}) {
    const prompt = this.#options.prompt ?? ((i: OutcomeInput) => `${i.question}\n`);
    return mapLimit(inputs, this.#options.concurrency ?? 4, async (input) => {
      if (input.solution === "") return 0;
      const r = await this.#model.score!({
        prompt: prompt(input),
        continuation: input.solution,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      return r.tokens.length > 0 ? Math.exp(r.total / r.tokens.length) : 0;
    });
  }
}
