/** One solution to score: the question it answers and the full solution text. */
export interface OutcomeInput {
  question: string;
  solution: string;
}

/** One solution split into reasoning steps. */
export interface ProcessInput {
  question: string;
  steps: readonly string[];
}

/**
 * An outcome reward model: one score in [0, 1] per (question, solution). Batched: implementations
 * run the inputs with bounded concurrency or in one request.
 */
export interface OutcomeRewardModel {
  readonly name: string;
  scoreOutcomes(
    inputs: readonly OutcomeInput[],
    options?: { signal?: AbortSignal },
  ): Promise<number[]>;
}

/** A process reward model: one correctness probability in [0, 1] per step. */
export interface ProcessRewardModel {
  readonly name: string;
  scoreSteps(
    inputs: readonly ProcessInput[],
    options?: { signal?: AbortSignal },
  ): Promise<number[][]>;
}
