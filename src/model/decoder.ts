/**
 * Stepwise decoding: open streams on prompts, read each stream's raw next-token logits over the
 * whole vocabulary, push the token you chose. AdaCAD and any custom decoding use this.
 */
export interface Decoder {
  readonly vocabSize: number;
  /** Token ids that end generation (EOS, EOT...). */
  readonly endTokens: readonly number[];
  tokenize(text: string, options?: { addBos?: boolean; special?: boolean }): Promise<number[]>;
  detokenize(tokens: readonly number[]): Promise<string>;
  /** Text of one token (for logprob displays). */
  tokenText(token: number): string;
  /** Evaluate the prompt (text or ids) and return a stream positioned after it. */
  open(prompt: string | readonly number[]): Promise<DecoderStream>;
  close(): Promise<void>;
}

export interface DecoderStream {
  /** Ids evaluated so far (prompt and pushed tokens). */
  readonly tokens: readonly number[];
  /** Raw (pre-softmax) logits for the next token, length `vocabSize`. Valid until the next push. */
  logits(): Float32Array;
  /** Append a token and evaluate it; returns the new next-token logits. */
  push(token: number): Promise<Float32Array>;
  close(): Promise<void>;
}
