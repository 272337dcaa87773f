/** A preference pair in text: both completions continue the same prompt. */
export interface TextPair {
  prompt: string;
  chosen: string;
  rejected: string;
}

/** How to sample the policy. */
export interface SampleOptions {
  n: number;
  temperature: number;
  maxTokens: number;
  /**
   * Strings that end a sample (not included), e.g. `["\nQ:"]` for a completion-format base model
   * that would otherwise run on into a next question. Default: none.
   */
  stop?: readonly string[];
  /** Base seed; sample j of prompt i uses a seed derived from it, so runs repeat exactly. */
  seed: number;
}

/**
 * What a LASeR loop needs from the policy it trains: sampling, a pooled hidden state per prompt
 * (the bandit's context), one DPO+NLL update against a reference that is fixed at the start of
 * every iteration, and persistence so iterations resume from the run folder.
 * `TrainablePolicy` is the real one (a GGUF trained in TypeScript, served by llama.cpp).
 */
export interface LaserPolicy {
  /** `n` samples for every prompt: `result[i][j]` is sample j of prompt i. */
  sample(prompts: readonly string[], options: SampleOptions): Promise<string[][]>;
  /** One vector per prompt: the policy's hidden states mean-pooled over the prompt's tokens. */
  pooledStates(prompts: readonly string[]): Promise<Float64Array[]>;
  /** The current weights become the DPO reference (the previous iteration's policy). */
  setReference(): Promise<void>;
  /** One optimizer step of DPO + λ·NLL on `pairs`; returns their mean loss before the step. */
  update(pairs: readonly TextPair[]): Promise<number>;
  /** Mean per-token log-probability of `completion` after `prompt` (best-of-n's bandit reward). */
  meanLogProb(prompt: string, completion: string): Promise<number>;
  /** Writes weights, optimizer state and reference into the folder `dir`. */
  save(dir: string): Promise<void>;
  /** Restores what `save` wrote. */
  load(dir: string): Promise<void>;
}
