import type { LanguageModel } from "../model/language-model.ts";
import { requireScore } from "../model/require-capability.ts";
import { mapLimit } from "./map-limit.ts";
import type { ProcessInput, ProcessRewardModel } from "./reward-model.ts";
import { pairProbability, twoWayProbability } from "./two-token-probability.ts";

/** Options for `MathShepherdPrm`. */
export interface MathShepherdOptions {
  /** The step tag the PRM was trained with (default "ки", Math-Shepherd's). */
  stepTag?: string;
  /** The "correct" and "wrong" label tokens (default "+" and "-"). */
  good?: string;
  bad?: string;
  /** Score calls in flight at once (default 4). */
  concurrency?: number;
}

/**
 * A Math-Shepherd-style process reward model on any model with `score`: the text is the question,
 * a space, then the steps, each followed by the step tag; a step's score is
 * P(good) / (P(good) + P(bad)) for the token right after its tag (softmax over just those two
 * tokens, as the official scorer does). One teacher-forced call per solution reads every step's
 * pair from the alternatives after each tag; a step whose pair cannot be read that way (tag not on
 * a token boundary, a label token not among the top alternatives) is scored exactly with two
 * calls on its prefix.
 */
export class MathShepherdPrm implements ProcessRewardModel {
  readonly name: string;
  readonly #model: LanguageModel;
  readonly #options: Required<MathShepherdOptions>;

  constructor(model: LanguageModel, options: MathShepherdOptions = {}) {
    this.#model = model;
    this.#options = { stepTag: "ки", good: "+", bad: "-", concurrency: 4, ...options };
    this.name = `prm:${model.id}`;
  }

  /** The PRM's input text up to and including step `upTo`'s tag. */
  taggedText(input: ProcessInput, upTo = input.steps.length - 1): string {
    const tag = this.#options.stepTag;
    const steps = input.steps.slice(0, upTo + 1).map((s) => `${s.trim()} ${tag}`);
    return `${input.question.trim()} ${steps.join("\n")}`;
  }

  async scoreSteps(inputs: readonly ProcessInput[], options: { signal?: AbortSignal } = {}) {
    const signal = options.signal ? { signal: options.signal } : {};
    return mapLimit(inputs, this.#options.concurrency, (input) => this.#scoreOne(input, signal));
  }

  /**
   * One teacher-forced call over the whole tagged solution (plus the good token after the last
   * tag) reads every step's pair from the alternatives right after each tag; steps whose tag does
   * not end on a token boundary, or whose pair is not among the alternatives, get the exact
   * per-step calls.
   */
  async #scoreOne(input: ProcessInput, signal: { signal?: AbortSignal }): Promise<number[]> {
    if (input.steps.length === 0) return [];
    const score = requireScore(this.#model);
    const { stepTag, good, bad } = this.#options;
    const tagged = input.steps.map((step) => `${step.trim()} ${stepTag}`);
    const continuation = `${tagged.join("\n")}${good}`;
    const result = await score({
      prompt: `${input.question.trim()} `,
      continuation,
      topLogprobs: 20,
      ...signal,
    });
    const starts = new Map<number, number>();
    let text = "";
    result.tokens.forEach((token, j) => {
      starts.set(text.length, j);
      text += token.token;
    });
    // SentencePiece tokenizers may prefix the continuation's first token with a space
    const shift = text.length - continuation.length;
    const aligned =
      shift >= 0 && text.slice(shift) === continuation && text.slice(0, shift).trim() === "";
    let end = 0;
    return Promise.all(
      tagged.map((step, i) => {
        end += step.length + (i > 0 ? 1 : 0);
        // the token that starts right after the tag carries the distribution at the tag
        const j = aligned ? starts.get(end + shift) : undefined;
        const position = j === undefined ? undefined : result.tokens[j];
        if (position) {
          const listed = [{ token: position.token, logprob: position.logprob }, ...position.top];
          const has = (t: string) => listed.some((l) => l.token.replace(/^▁/, "").trim() === t);
          if (has(good) && has(bad)) return twoWayProbability(listed, [good], [bad]) ?? 0.5;
        }
        return this.#exactStep(input, i, signal);
      }),
    );
  }

  /** P(good) at step `i`'s tag from two calls: the good and the bad token after the prefix. */
  async #exactStep(
    input: ProcessInput,
    i: number,
    signal: { signal?: AbortSignal },
  ): Promise<number> {
    const score = requireScore(this.#model);
    const prompt = this.taggedText(input, i);
    const [g, b] = await Promise.all([
      score({ prompt, continuation: this.#options.good, ...signal }),
      score({ prompt, continuation: this.#options.bad, ...signal }),
    ]);
    return pairProbability(g!.total, b!.total);
  }
}
