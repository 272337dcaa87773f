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
 * tokens, as the official scorer does). One teacher-forced call per step reads the good token's
 * logprob and, when present among the alternatives, the bad one's; otherwise a second call
 * scores the bad token.
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
    const score = requireScore(this.#model);
    const { good, bad } = this.#options;
    const jobs = inputs.flatMap((input, i) => input.steps.map((_, step) => ({ i, step, input })));
    const signal = options.signal ? { signal: options.signal } : {};
    const values = await mapLimit(jobs, this.#options.concurrency, async ({ input, step }) => {
      const prompt = this.taggedText(input, step);
      const first = await score({ prompt, continuation: good, topLogprobs: 20, ...signal });
      const position = first.tokens[0];
      if (!position) return 0.5;
      const fromTop = twoWayProbability(
        [{ token: position.token, logprob: position.logprob }, ...position.top],
        [good],
        [bad],
      );
      const badListed = position.top.some((t) => t.token.replace(/^▁/, "").trim() === bad);
      if (fromTop !== undefined && badListed) return fromTop;
      const second = await score({ prompt, continuation: bad, ...signal });
      return pairProbability(first.total, second.total);
    });
    const out: number[][] = inputs.map(() => []);
    jobs.forEach((job, j) => {
      out[job.i]![job.step] = values[j]!;
    });
    return out;
  }
}
