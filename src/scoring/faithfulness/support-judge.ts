/** A sentence and the source it must be supported by. */
export interface SupportQuery {
  source: string;
  sentence: string;
}

/** How sure a judge is that the sentence is supported, and how that number was obtained. */
export interface SupportVerdict {
  /** P(supported) in [0, 1]. */
  probability: number;
  /**
   * "logprobs": P(yes)/(P(yes)+P(no)) from the first answer token's alternatives;
   * "score": the same from two teacher-forced continuations; "text": parsed from the reply only
   * (0, 1, or 0.5 when undecidable); "nli": an entailment model's probability.
   */
  basis: "logprobs" | "score" | "text" | "nli";
}

/**
 * Anything that can say whether a source supports a sentence: an LLM judge, an NLI model behind
 * an endpoint, or a user's own checker. The faithfulness scorer takes any of them.
 */
export interface SupportJudge {
  readonly name: string;
  judge(
    queries: readonly SupportQuery[],
    options?: { signal?: AbortSignal },
  ): Promise<SupportVerdict[]>;
}
