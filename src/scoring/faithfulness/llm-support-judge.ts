import type { ChatMessage, LanguageModel } from "../../model/language-model.ts";
import { mapLimit } from "../map-limit.ts";
import { pairProbability, twoWayProbability } from "../two-token-probability.ts";
import type { SupportJudge, SupportQuery, SupportVerdict } from "./support-judge.ts";

/** Options of `LlmSupportJudge`. */
export interface LlmSupportJudgeOptions {
  /** The judge's chat for one query (default: a yes/no support question). */
  prompt?: (query: SupportQuery) => ChatMessage[];
  /** Calls in flight at once (default 4). */
  concurrency?: number;
  /** Alternatives requested for the answer token (default 20, capped by the model). */
  topLogprobs?: number;
}

const defaultPrompt = ({ source, sentence }: SupportQuery): ChatMessage[] => [
  {
    role: "user",
    content:
      `Source:\n${source}\n\nClaim:\n${sentence}\n\n` +
      "Is every part of the claim supported by the source (stated in it or following from it)? Reply with Yes or No only.",
  },
];

/**
 * Sentence-level LLM judge with logprob confidence: P(supported) = P(Yes) / (P(Yes) + P(No)) of
 * the first answer token. Engines with top logprobs give it from one greedy token; engines with
 * only `score` from two teacher-forced continuations; engines with neither from the reply text
 * (0 or 1, and 0.5 when the reply says neither), marked `basis: "text"`.
 */
export class LlmSupportJudge implements SupportJudge {
  readonly name: string;
  readonly #model: LanguageModel;
  readonly #options: LlmSupportJudgeOptions;

  constructor(model: LanguageModel, options: LlmSupportJudgeOptions = {}) {
    this.#model = model;
    this.#options = options;
    this.name = `llm-judge:${model.id}`;
  }

  judge(
    queries: readonly SupportQuery[],
    options: { signal?: AbortSignal } = {},
  ): Promise<SupportVerdict[]> {
    const model = this.#model;
    const signal = options.signal ? { signal: options.signal } : {};
    return mapLimit(queries, this.#options.concurrency ?? 4, async (query) => {
      const messages = (this.#options.prompt ?? defaultPrompt)(query);
      if (model.capabilities.logprobs !== "none") {
        const result = await model.generate({
          messages,
          maxTokens: 1,
          temperature: 0,
          logprobs: Math.min(this.#options.topLogprobs ?? 20, model.capabilities.maxTopLogprobs),
          ...signal,
        });
        const generation = result.generations[0];
        const first = generation?.logprobs?.[0];
        // The chosen token is usually among the alternatives too; count each spelling once.
        const key = (t: string) => t.replace(/^▁/, "").trim().toLowerCase();
        const top = first ? [...first.top] : [];
        if (first && !top.some((t) => key(t.token) === key(first.token)))
          top.push({ token: first.token, logprob: first.logprob });
        const p = twoWayProbability(top, ["yes"], ["no"]);
        if (p !== undefined) return { probability: p, basis: "logprobs" };
        return { probability: fromText(generation?.text ?? ""), basis: "text" };
      }
      if (model.capabilities.score && model.score) {
        const [yes, no] = await Promise.all(
          ["Yes", "No"].map((word) =>
            model.score!({ prompt: messages, continuation: word, ...signal }),
          ),
        );
        return { probability: pairProbability(yes!.total, no!.total), basis: "score" };
      }
      const result = await model.generate({ messages, maxTokens: 4, temperature: 0, ...signal });
      return { probability: fromText(result.generations[0]?.text ?? ""), basis: "text" };
    });
  }
}

function fromText(text: string): number {
  const word = /\b(yes|no)\b/i.exec(text)?.[1]?.toLowerCase();
  return word === "yes" ? 1 : word === "no" ? 0 : 0.5;
}
