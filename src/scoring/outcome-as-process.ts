import type { OutcomeRewardModel, ProcessInput, ProcessRewardModel } from "./reward-model.ts";

/**
 * A process reward model from an outcome one: step i's score is the ORM's score of the solution
 * prefix ending at step i. For endpoints that only offer outcome rewards.
 */
export class OutcomeAsProcess implements ProcessRewardModel {
  readonly name: string;
  readonly #orm: OutcomeRewardModel;

  constructor(orm: OutcomeRewardModel) {
    this.#orm = orm;
    this.name = `prefix:${orm.name}`;
  }

  async scoreSteps(inputs: readonly ProcessInput[], options: { signal?: AbortSignal } = {}) {
    const flat = inputs.flatMap((input) =>
      input.steps.map((_, i) => ({
        question: input.question,
        solution: input.steps.slice(0, i + 1).join("\n\n"),
      })),
    );
    const scores = await this.#orm.scoreOutcomes(flat, options);
    let at = 0;
    return inputs.map((input) => {
      const slice = scores.slice(at, at + input.steps.length);
      at += input.steps.length;
      return slice;
    });
  }
}
