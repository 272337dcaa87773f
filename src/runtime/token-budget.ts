import { BudgetExceededError } from "../model/errors.ts";

/**
 * A cap on the tokens (input + output) a run spends on model calls. Cache hits spend nothing.
 * Calls already in flight when the cap is reached still finish, so a run can end slightly over it.
 */
export class TokenBudget {
  readonly limit: number;
  #used: number;

  /** `used` carries spending over from an earlier part of the same run (a resume). */
  constructor(limit: number, used = 0) {
    if (!Number.isFinite(limit) || limit <= 0)
      throw new RangeError(`token budget must be a positive number, got ${limit}`);
    this.limit = limit;
    this.#used = used;
  }

  get used(): number {
    return this.#used;
  }

  get exhausted(): boolean {
    return this.#used >= this.limit;
  }

  /** @throws BudgetExceededError once the cap is reached. */
  check(): void {
    if (this.exhausted) throw new BudgetExceededError(this.#used, this.limit);
  }

  spend(tokens: number): void {
    this.#used += tokens;
  }
}
