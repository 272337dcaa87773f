import type { OutcomeInput, ProcessInput } from "../../scoring/reward-model.ts";

/** A unit of work tagged with the problem it belongs to (for per-problem accounting). */
export interface Tagged<T> {
  problemId: string;
  value: T;
}

/**
 * The roles MAgICoRe needs, batched across problems so a pool loads each model once per phase.
 * Texts returned by `solve` and `refine` include their prefilled openers' step header.
 */
export interface MagicoreAgents {
  /** k solver samples per question. */
  solve(jobs: readonly Tagged<{ question: string; k: number }>[]): Promise<string[][]>;
  /** One review per scored solution. */
  review(jobs: readonly Tagged<{ question: string; scored: string }>[]): Promise<string[]>;
  /** One refined solution per (scored solution, feedback). */
  refine(
    jobs: readonly Tagged<{ question: string; scored: string; feedback: string }>[],
  ): Promise<string[]>;
  orm(jobs: readonly Tagged<OutcomeInput>[]): Promise<number[]>;
  prm(jobs: readonly Tagged<ProcessInput>[]): Promise<number[][]>;
}
