/** One line of `events.jsonl`: a model call as the run saw it. */
export interface CallEvent {
  /** ISO time the call finished. */
  time: string;
  /** The model's pool name (or id when it has none). */
  model: string;
  provider: string;
  kind: "generate" | "score" | "internals.generate";
  /** The item being processed when the call was made, when inside `runItems`. */
  item?: string;
  inputTokens: number;
  outputTokens: number;
  latencyMs: number;
  cached: boolean;
  retries: number;
  error?: string;
}
