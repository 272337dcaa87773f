import { ConfigError, DataError } from "../../../model/errors.ts";
import { getNativeLib, type NativeLib } from "./native-lib.ts";

/** A LoRA adapter applied on the FFI path, like node-llama-cpp's `lora` context option. */
export interface NativeLora {
  path: string;
  scale: number;
  /** Content hash: an adapter rewritten at the same path is loaded again, not reused. */
  sha256?: string;
}

/** A loaded adapter (llama_adapter_lora*) with the scale it is served at. */
export interface NativeLoraHandle {
  ptr: unknown;
  scale: number;
}

/**
 * A model loaded through the C API (its own copy of the weights, mmapped), with the vocabulary
 * helpers the decoder, scoring and internals need. Contexts are created by NativeContext.
 */
export class NativeModel {
  readonly nVocab: number;
  readonly nEmbd: number;
  readonly nLayer: number;
  readonly bos: number;
  readonly addBos: boolean;
  /** End-of-generation tokens (EOS, EOT...). */
  readonly endTokens: readonly number[];
  /** End of sequence, and end of turn (chat templates' `<|im_end|>`, `<|eot_id|>`); -1 if none. */
  readonly eos: number;
  readonly eot: number;
  private readonly pieces: (string | undefined)[];
  /** Loaded adapters by path and content hash; freed when unused (freeUnusedLora) or with the model. */
  private readonly loaded = new Map<string, unknown>();
  private current: NativeLoraHandle[] = [];
  private version = 0;
  private closed = false;

  private constructor(
    readonly lib: NativeLib,
    readonly ptr: unknown,
    readonly vocab: unknown,
    readonly path: string,
  ) {
    const fn = lib.fn;
    this.nVocab = fn.llama_vocab_n_tokens(vocab) as number;
    this.nEmbd = fn.llama_model_n_embd(ptr) as number;
    this.nLayer = fn.llama_model_n_layer(ptr) as number;
    this.bos = fn.llama_vocab_bos(vocab) as number;
    this.addBos = fn.llama_vocab_get_add_bos(vocab) as boolean;
    const end: number[] = [];
    for (let t = 0; t < this.nVocab; t++) if (fn.llama_vocab_is_eog(vocab, t)) end.push(t);
    this.endTokens = end;
    this.eos = fn.llama_vocab_eos(vocab) as number;
    this.eot = fn.llama_vocab_eot(vocab) as number;
    this.pieces = new Array(this.nVocab);
  }

  /**
   * Loads `path` on the CPU with the given adapters; throws DataError for unreadable files.
   * `vocabOnly` reads just the vocabulary (tokenizers): no weights, no contexts.
   */
  static load(
    path: string,
    lora: readonly NativeLora[] = [],
    options: { vocabOnly?: boolean } = {},
  ): NativeModel {
    const lib = getNativeLib();
    const params = lib.fn.llama_model_default_params() as Record<string, unknown>;
    params.n_gpu_layers = 0;
    params.vocab_only = options.vocabOnly ?? false;
    // As node-llama-cpp's addon loads models: every tensor read up front.
    params.lazy_mode = 0;
    const ptr = lib.fn.llama_model_load_from_file(path, params);
    if (!ptr) {
      throw new DataError(
        "llama.cpp could not load this model (see the llama.cpp log above); check that it is a complete GGUF file of a supported architecture",
        { file: path },
      );
    }
    const model = new NativeModel(lib, ptr, lib.fn.llama_model_get_vocab(ptr), path);
    try {
      model.setLora(lora);
    } catch (error) {
      model.close();
      throw error;
    }
    return model;
  }

  /** The adapters contexts should serve now (set on new contexts; NativeContext.syncLora). */
  get loraAdapters(): readonly NativeLoraHandle[] {
    return this.current;
  }

  /** Bumped by every setLora, so a context can tell that its adapters are stale. */
  get loraVersion(): number {
    return this.version;
  }

  /**
   * Makes `lora` the adapters to serve, loading the ones not loaded yet (all or nothing: a file
   * llama.cpp refuses changes nothing). Contexts pick them up through NativeContext.syncLora.
   */
  setLora(lora: readonly NativeLora[]): void {
    const handles = lora.map((adapter) => ({ ptr: this.loadLora(adapter), scale: adapter.scale }));
    this.current = handles;
    this.version++;
  }

  /** Loads adapters ahead of a setLora, so that it cannot fail (the served set does not change). */
  preloadLora(lora: readonly NativeLora[]): void {
    for (const adapter of lora) this.loadLora(adapter);
  }

  /** Frees loaded adapters that are not current and not set on any context in `inUse`. */
  freeUnusedLora(inUse: ReadonlySet<unknown>): void {
    const keep = new Set([...this.current.map((h) => h.ptr), ...inUse]);
    for (const [key, ptr] of this.loaded) {
      if (keep.has(ptr)) continue;
      this.lib.fn.llama_adapter_lora_free(ptr);
      this.loaded.delete(key);
    }
  }

  private loadLora(adapter: NativeLora): unknown {
    const key = `${adapter.sha256 ?? ""}:${adapter.path}`;
    const known = this.loaded.get(key);
    if (known) return known;
    const ptr = this.lib.fn.llama_adapter_lora_init(this.ptr, adapter.path);
    if (!ptr) {
      throw new ConfigError(
        `llama.cpp could not load the LoRA adapter ${adapter.path} (see the llama.cpp log above); it must be a GGUF LoRA made for this model (same architecture and tensor shapes)`,
        "lora",
      );
    }
    this.loaded.set(key, ptr);
    return ptr;
  }

  /** Token ids of `text`; `addBos` follows the model's own setting unless given. */
  tokenize(text: string, options: { addBos?: boolean; special?: boolean } = {}): number[] {
    const addSpecial = options.addBos ?? this.addBos;
    const bytes = Buffer.from(text, "utf8");
    let capacity = bytes.length + 8;
    for (;;) {
      const out = new Int32Array(capacity);
      const n = this.lib.fn.llama_tokenize(
        this.vocab,
        bytes,
        bytes.length,
        out,
        capacity,
        addSpecial,
        options.special ?? false,
      ) as number;
      if (n >= 0) return Array.from(out.subarray(0, n));
      capacity = -n;
    }
  }

  /** Text of the given tokens as one string (special tokens rendered). */
  detokenize(tokens: readonly number[]): string {
    if (tokens.length === 0) return "";
    const ids = Int32Array.from(tokens);
    let capacity = tokens.length * 8 + 16;
    for (;;) {
      const out = Buffer.alloc(capacity);
      const n = this.lib.fn.llama_detokenize(
        this.vocab,
        ids,
        ids.length,
        out,
        capacity,
        false,
        false,
      ) as number;
      if (n >= 0) return out.subarray(0, n).toString("utf8");
      capacity = -n;
    }
  }

  /** The piece of one token (byte tokens that are not valid UTF-8 alone show as U+FFFD). */
  tokenText(token: number): string {
    if (token < 0 || token >= this.nVocab) {
      throw new ConfigError(`token id ${token} is outside the vocabulary (0..${this.nVocab - 1})`);
    }
    const known = this.pieces[token];
    if (known !== undefined) return known;
    const out = Buffer.alloc(64);
    let n = this.lib.fn.llama_token_to_piece(this.vocab, token, out, 64, 0, true) as number;
    let text: string;
    if (n < 0) {
      const big = Buffer.alloc(-n);
      n = this.lib.fn.llama_token_to_piece(this.vocab, token, big, -n, 0, true) as number;
      text = big.subarray(0, n).toString("utf8");
    } else {
      text = out.subarray(0, n).toString("utf8");
    }
    this.pieces[token] = text;
    return text;
  }

  /** Frees the weights and adapters. Contexts must be closed first. Safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    // Adapters are owned by the model and freed with it.
    this.lib.fn.llama_model_free(this.ptr);
  }
}
