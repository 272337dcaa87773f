import { CapabilityError } from "../model/errors.ts";
import type { ChatMessage, LanguageModel } from "../model/language-model.ts";
import { mapLimit } from "./map-limit.ts";
import type { OutcomeInput, OutcomeRewardModel } from "./reward-model.ts";
import { pairProbability, twoWayProbability } from "./two-token-probability.ts";

/** Options for `LlmJudge`. */
export interface LlmJudgeOptions {
  /** Builds the judge's chat from a question and solution (default: a yes/no correctness question). */
  prompt?: (input: OutcomeInput) => ChatMessage[];
  /** Spellings of the positive answer token (default "Yes"). */
  yes?: readonly string[];
  no?: readonly string[];
  /** Calls in flight at once (default 4). */
  concurrency?: number;
  /** Alternatives requested per position (default 20, capped by the model's maximum). */
  topLogprobs?: number;
}

const defaultPrompt = (input: OutcomeInput): ChatMessage[] => [
  {
    role: "user",
    content:
      `Here is a problem and a proposed solution.\n\nProblem:\n${input.question}\n\n` +
      `Proposed solution:\n${input.solution}\n\n` +
      "Is the proposed solution correct, including its final answer? Reply with Yes or No only.",
  },
];

/**
 * An outcome reward model made from any LLM: the score is P(yes) / (P(yes) + P(no)) for its next
 * token after a yes/no correctness question. Uses one greedy token with top logprobs when the model
 * returns them; two teacher-forced `score` calls ("Yes", "No") when it does not, or when neither
 * spelling is among the alternatives. Without either, the judge is undecided: 0.5.
 */
export class LlmJudge implements OutcomeRewardModel {
  readonly name: string;
  readonly #model: LanguageModel;
  readonly #options: LlmJudgeOptions;

  constructor(model: LanguageModel, options: LlmJudgeOptions = {}) {
    this.#model = model;
    this.#options = options;
    this.name = `judge:${model.id}`;
  }

  async scoreOutcomes(inputs: readonly OutcomeInput[], options: { signal?: AbortSignal } = {}) {
    const yes = this.#options.yes ?? ["Yes"];
    const no = this.#options.no ?? ["No"];
    const model = this.#model;
    const useLogprobs = model.capabilities.logprobs !== "none";
    if (!useLogprobs && !(model.capabilities.score && model.score))
      throw new CapabilityError(model.id, "logprobs", ["llamacpp", "openai (server-dependent)"]);
    return mapLimit(inputs, this.#options.concurrency ?? 4, async (input) => {
      const messages = (this.#options.prompt ?? defaultPrompt)(input);
      if (useLogprobs) {
        const result = await model.generate({
          messages,
          maxTokens: 1,
          temperature: 0,
          logprobs: Math.min(this.#options.topLogprobs ?? 20, model.capabilities.maxTopLogprobs),
          ...(options.signal ? { signal: options.signal } : {}),
        });
        const first = result.generations[0]?.logprobs?.[0];
        const top = first ? [{ token: first.token, logprob: first.logprob }, ...first.top] : [];
        const p = twoWayProbability(top, yes, no);
        if (p !== undefined) return p;
        // neither spelling among the alternatives: ask the exact pair when the engine can
        if (!(model.capabilities.score && model.score)) return 0.5;
      }
      const [y, n] = await Promise.all(
        [yes[0]!, no[0]!].map((word) =>
          model.score!({
            prompt: messages,
            continuation: word,
            ...(options.signal ? { signal: options.signal } : {}),
          }),
        ),
      );
      return pairProbability(y!.total, n!.total);
    });
  }
}
