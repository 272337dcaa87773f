import type { Decoder, DecoderStream } from "../../model/decoder.ts";
import { ConfigError } from "../../model/errors.ts";
import type { NativeContext } from "./ffi/native-context.ts";
import { evaluateFresh, type NativeEngine } from "./ffi/native-engine.ts";

/**
 * Stepwise decoding on the FFI path. Each stream owns one llama_context (1 thread) and runs
 * llama_decode on a koffi worker thread, so streams pushed together (`Promise.all`) decode in
 * parallel on separate cores, and the event loop stays free.
 */
export class LlamaCppDecoder implements Decoder {
  private readonly streams = new Set<LlamaCppDecoderStream>();

  constructor(private readonly engine: NativeEngine) {}

  get vocabSize(): number {
    return this.engine.model.nVocab;
  }

  get endTokens(): readonly number[] {
    return this.engine.model.endTokens;
  }

  async tokenize(
    text: string,
    options?: { addBos?: boolean; special?: boolean },
  ): Promise<number[]> {
    return this.engine.model.tokenize(text, {
      addBos: options?.addBos ?? true,
      ...(options?.special !== undefined ? { special: options.special } : {}),
    });
  }

  async detokenize(tokens: readonly number[]): Promise<string> {
    return this.engine.model.detokenize(tokens);
  }

  tokenText(token: number): string {
    return this.engine.model.tokenText(token);
  }

  async open(prompt: string | readonly number[]): Promise<DecoderStream> {
    const model = this.engine.model;
    const tokens =
      typeof prompt === "string" ? model.tokenize(prompt, { addBos: true }) : [...prompt];
    if (tokens.length === 0)
      throw new ConfigError("cannot open a decoder stream on an empty prompt");
    for (const t of tokens) model.tokenText(t);
    const context = this.engine.acquire("plain");
    const stream = new LlamaCppDecoderStream(this.engine, context, () =>
      this.streams.delete(stream),
    );
    this.streams.add(stream);
    try {
      await stream.start(tokens);
    } catch (error) {
      await stream.close();
      throw error;
    }
    return stream;
  }

  /** Closes every open stream (the model's contexts stay for reuse). */
  async close(): Promise<void> {
    for (const stream of [...this.streams]) await stream.close();
  }
}

class LlamaCppDecoderStream implements DecoderStream {
  private readonly buffer: Float32Array;
  private closed = false;

  constructor(
    private readonly engine: NativeEngine,
    private readonly context: NativeContext,
    private readonly onClose: () => void,
  ) {
    this.buffer = new Float32Array(engine.model.nVocab);
  }

  get tokens(): readonly number[] {
    return this.context.tokens;
  }

  async start(tokens: readonly number[]): Promise<void> {
    await evaluateFresh(this.context, tokens, {
      onLogits: (_i, logits) => this.buffer.set(logits),
    });
  }

  logits(): Float32Array {
    if (this.closed) throw new ConfigError("this decoder stream is closed");
    return this.buffer;
  }

  async push(token: number): Promise<Float32Array> {
    if (this.closed) throw new ConfigError("this decoder stream is closed");
    this.engine.model.tokenText(token);
    await this.context.evaluate([token], { onLogits: (_i, logits) => this.buffer.set(logits) });
    return this.buffer;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
    this.engine.release(this.context);
  }
}
