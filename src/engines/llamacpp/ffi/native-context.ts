import koffi, { type IKoffiRegisteredCallback } from "koffi";
import { ChorusError, ConfigError } from "../../../model/errors.ts";
import type { HookSite } from "../../../model/internals.ts";
import type { NativeLoraHandle, NativeModel } from "./native-model.ts";

/**
 * One row of a hooked tensor: one token's residual stream after block `layer` (`l_out-<layer>`),
 * or its attention-head outputs entering block `layer`'s `wo` (`kqv_out-<layer>`).
 */
export interface HookRow {
  layer: number;
  site: HookSite;
  /** Absolute position of the token in the sequence. */
  position: number;
  /** The row itself, a view into llama.cpp's buffer: edit in place, copy to keep. */
  h: Float32Array;
}

/** What a context's `cb_eval` does: which layers to stop at, and what to do with their rows. */
export interface ContextHook {
  /** Layers whose residual stream (`l_out-<layer>`) is hooked. */
  layers: ReadonlySet<number>;
  /** Layers whose attention output projection input (`kqv_out-<layer>`) is hooked. */
  oProjInputLayers?: ReadonlySet<number>;
  onRow(row: HookRow): void;
}

/** The graph tensor a hook site reads: llama.cpp's `cb` names, `<name>-<layer>`. */
const siteTensors: readonly { prefix: string; site: HookSite }[] = [
  { prefix: "l_out-", site: "residual" },
  // The input of `wo` in llama.cpp's build_attn (with and without flash attention).
  { prefix: "kqv_out-", site: "o-proj-input" },
];

export interface NativeContextOptions {
  contextSize: number;
  /** Tokens per llama_decode call (one ubatch). */
  batchSize: number;
  /** Threads for single-token decoding. */
  threads: number;
  /** Threads for multi-token (prompt) batches. */
  threadsBatch: number;
  /** Install a `cb_eval` so hooks can be set later (costs nothing while no hook is set). */
  hookable: boolean;
  /** Run llama_decode on a koffi worker thread (keeps the event loop free). */
  async: boolean;
}

/** Thrown when llama_decode reports a failure (context full, aborted, invalid batch). */
export class DecodeError extends ChorusError {
  override name = "DecodeError";
}

/**
 * One llama_context with a single sequence: evaluates tokens, exposes the raw logits, and (when
 * hookable) runs a JS hook on chosen `l_out-<layer>` / `kqv_out-<layer>` tensors and takes control
 * vectors.
 */
export class NativeContext {
  readonly nCtx: number;
  private readonly ptr: unknown;
  private readonly memory: unknown;
  private readonly batch: Record<string, unknown>;
  private readonly tokenView: Int32Array;
  private readonly posView: Int32Array;
  private readonly logitsFlag: Int8Array;
  private readonly callback: IKoffiRegisteredCallback | undefined;
  private hook: ContextHook | undefined;
  private chunkPositions: number[] = [];
  private chunkOutputPositions: number[] = [];
  private hookError: unknown;
  private busy: Promise<unknown> = Promise.resolve();
  private nPast = 0;
  private ids: number[] = [];
  private closed = false;
  private hasControlVector = false;
  private steered = false;
  /** The model's loraVersion this context serves (-1: none set yet). */
  private loraVersion = -1;
  private lora: readonly NativeLoraHandle[] = [];

  constructor(
    readonly model: NativeModel,
    readonly options: NativeContextOptions,
  ) {
    const { lib } = model;
    const fn = lib.fn;
    const params = fn.llama_context_default_params() as Record<string, unknown>;
    params.n_ctx = options.contextSize;
    params.n_batch = options.batchSize;
    params.n_ubatch = options.batchSize;
    params.n_threads = options.threads;
    params.n_threads_batch = options.threadsBatch;
    params.n_outputs_max_per_seq = 0;
    params.no_perf = true;
    // Flash attention off, as node-llama-cpp's contexts default to, so both paths run the same kernels.
    params.flash_attn_type = 0;
    if (options.hookable) {
      this.callback = koffi.register(
        (t: unknown, ask: boolean) => this.onEval(t, ask),
        koffi.pointer(lib.types.evalCallback),
      );
      params.cb_eval = this.callback;
    }
    this.ptr = fn.llama_init_from_model(model.ptr, params);
    if (!this.ptr) {
      if (this.callback) koffi.unregister(this.callback);
      throw new ConfigError(
        `llama.cpp could not create a context of ${options.contextSize} tokens for ${model.path}; try a smaller contextSize`,
        "contextSize",
      );
    }
    this.nCtx = fn.llama_n_ctx(this.ptr) as number;
    this.memory = fn.llama_get_memory(this.ptr);
    this.syncLora();
    this.batch = fn.llama_batch_init(options.batchSize, 0, 1) as Record<string, unknown>;
    const n = options.batchSize;
    this.tokenView = new Int32Array(koffi.view(this.batch.token, n * 4));
    this.posView = new Int32Array(koffi.view(this.batch.pos, n * 4));
    this.logitsFlag = new Int8Array(koffi.view(this.batch.logits, n));
    new Int32Array(koffi.view(this.batch.n_seq_id, n * 4)).fill(1);
    // llama_batch_init allocates one seq-id slot per token but leaves it unset: sequence 0.
    const seqPtrs = koffi.decode(this.batch.seq_id, koffi.array("void*", n)) as unknown[];
    for (const p of seqPtrs) new Int32Array(koffi.view(p, 4))[0] = 0;
  }

  /**
   * Sets the model's current LoRA adapters on this context if it serves older ones. Call only
   * while no decode runs on it (the engine does it when a context is free). The KV cache is
   * cleared: entries computed under other adapters must not be reused. Returns whether it changed.
   */
  syncLora(): boolean {
    const model = this.model;
    if (this.loraVersion === model.loraVersion) return false;
    const handles = model.loraAdapters;
    const adapters = handles.map((a) => a.ptr);
    const scales = Float32Array.from(handles.map((a) => a.scale));
    const fn = model.lib.fn;
    // llama.cpp asserts that an empty list comes as NULL pointers.
    if (handles.length === 0) fn.llama_set_adapters_lora(this.ptr, null, 0, null);
    else fn.llama_set_adapters_lora(this.ptr, adapters, adapters.length, scales);
    this.lora = handles;
    this.loraVersion = model.loraVersion;
    if (this.nPast > 0) this.clear();
    return true;
  }

  /** The adapters (llama_adapter_lora*) set on this context now. */
  get loraInUse(): readonly unknown[] {
    return this.closed ? [] : this.lora.map((h) => h.ptr);
  }

  /** Number of tokens in the cache (the next token's position). */
  get length(): number {
    return this.nPast;
  }

  /** The token ids in the cache. */
  get tokens(): readonly number[] {
    return this.ids;
  }

  /** Sets (or clears) the hook; only for contexts created with `hookable`. */
  setHook(hook: ContextHook | undefined): void {
    if (hook && !this.callback) throw new Error("internal: this context was not created hookable");
    this.hook = hook;
    if (hook) this.steered = true;
  }

  /**
   * Applies a control vector (layer -> vector added after that block) or clears it with undefined.
   * Layer 0 cannot be steered in llama.cpp (its buffer starts at layer 1).
   */
  setControlVector(vectors: ReadonlyMap<number, Float32Array> | undefined): void {
    const { nEmbd, nLayer } = this.model;
    const fn = this.model.lib.fn;
    if (!vectors || vectors.size === 0) {
      if (this.hasControlVector) fn.llama_set_adapter_cvec(this.ptr, null, 0, nEmbd, -1, -1);
      this.hasControlVector = false;
      return;
    }
    const data = new Float32Array(nEmbd * (nLayer - 1));
    let first = Number.POSITIVE_INFINITY;
    let last = -1;
    for (const [layer, v] of vectors) {
      if (!Number.isInteger(layer) || layer < 1 || layer >= nLayer) {
        throw new ConfigError(
          `control vector layer ${layer} is out of range: llama.cpp steers layers 1..${nLayer - 1} (layer 0 cannot be steered; use an intervention for it)`,
          "controlVector",
        );
      }
      if (v.length !== nEmbd) {
        throw new ConfigError(
          `control vector for layer ${layer} has length ${v.length}; the model's nEmbd is ${nEmbd}`,
          "controlVector",
        );
      }
      data.set(v, (layer - 1) * nEmbd);
      first = Math.min(first, layer);
      last = Math.max(last, layer);
    }
    const rc = fn.llama_set_adapter_cvec(this.ptr, data, data.length, nEmbd, first, last) as number;
    if (rc !== 0) throw new ConfigError("llama.cpp rejected the control vector", "controlVector");
    this.hasControlVector = true;
    this.steered = true;
  }

  /**
   * Removes hook and control vector; the cache is cleared if either was used since the last clear,
   * because its entries were computed under the edit and must not be reused as a plain prefix.
   */
  resetSteering(): void {
    this.hook = undefined;
    this.setControlVector(undefined);
    if (this.steered) this.clear();
  }

  /** Forgets every evaluated token (the KV cache is cleared, weights stay). */
  clear(): void {
    this.model.lib.fn.llama_memory_clear(this.memory, false);
    this.nPast = 0;
    this.ids = [];
    this.steered = this.hook !== undefined || this.hasControlVector;
  }

  /** Keeps the first `n` tokens of the cache and drops the rest. */
  truncate(n: number): void {
    if (n >= this.nPast) return;
    if (n <= 0) {
      this.clear();
      return;
    }
    this.model.lib.fn.llama_memory_seq_rm(this.memory, 0, n, -1);
    this.nPast = n;
    this.ids.length = n;
  }

  /**
   * Evaluates `tokens` after what is already in the cache, in chunks of `batchSize`. `wantLogits(i)`
   * says which of the new tokens produce logits (default: only the last); each such row is passed to
   * `onLogits` while it is valid. Calls are serialized per context.
   */
  evaluate(
    tokens: readonly number[],
    options: {
      wantLogits?: (index: number) => boolean;
      onLogits?: (index: number, logits: Float32Array) => void;
    } = {},
  ): Promise<void> {
    const run = this.busy.then(() => this.evaluateNow(tokens, options));
    this.busy = run.catch(() => undefined);
    return run;
  }

  private async evaluateNow(
    tokens: readonly number[],
    options: {
      wantLogits?: (index: number) => boolean;
      onLogits?: (index: number, logits: Float32Array) => void;
    },
  ): Promise<void> {
    if (this.closed) throw new Error("internal: context is closed");
    if (this.nPast + tokens.length > this.nCtx) {
      throw new DecodeError(
        `the sequence would need ${this.nPast + tokens.length} tokens but the context holds ${this.nCtx}; raise contextSize or shorten the prompt`,
      );
    }
    const want = options.wantLogits ?? ((i: number) => i === tokens.length - 1);
    const { batchSize } = this.options;
    const fn = this.model.lib.fn;
    for (let start = 0; start < tokens.length; start += batchSize) {
      const end = Math.min(tokens.length, start + batchSize);
      const n = end - start;
      const outputs: number[] = [];
      this.chunkPositions = [];
      this.chunkOutputPositions = [];
      for (let j = 0; j < n; j++) {
        const pos = this.nPast + j;
        this.tokenView[j] = tokens[start + j]!;
        this.posView[j] = pos;
        const out = want(start + j);
        this.logitsFlag[j] = out ? 1 : 0;
        if (out) {
          outputs.push(j);
          this.chunkOutputPositions.push(pos);
        }
        this.chunkPositions.push(pos);
      }
      this.batch.n_tokens = n;
      this.hookError = undefined;
      const rc = await this.decode();
      if (this.hookError !== undefined) {
        const error = this.hookError;
        this.hookError = undefined;
        // The aborted ubatch may be partly in the cache: drop everything from this chunk on.
        fn.llama_memory_seq_rm(this.memory, 0, this.nPast, -1);
        throw error;
      }
      if (rc !== 0) {
        fn.llama_memory_seq_rm(this.memory, 0, this.nPast, -1);
        throw new DecodeError(`llama_decode failed with code ${rc}`);
      }
      this.nPast += n;
      for (let j = start; j < end; j++) this.ids.push(tokens[j]!);
      if (options.onLogits) {
        for (const j of outputs) options.onLogits(start + j, this.logitsAt(j));
      }
    }
  }

  private decode(): Promise<number> {
    const fn = this.model.lib.fn;
    if (!this.options.async)
      return Promise.resolve(fn.llama_decode(this.ptr, this.batch) as number);
    return new Promise((resolve, reject) => {
      fn.llama_decode.async(this.ptr, this.batch, (err: unknown, rc: number) =>
        err ? reject(err) : resolve(rc),
      );
    });
  }

  /** Logits row `j` of the last decoded chunk, viewed in place (valid until the next evaluate). */
  private logitsAt(j: number): Float32Array {
    const p = this.model.lib.fn.llama_get_logits_ith(this.ptr, j);
    if (!p) throw new DecodeError(`llama.cpp has no logits for batch row ${j}`);
    return new Float32Array(koffi.view(p, this.model.nVocab * 4));
  }

  private onEval(t: unknown, ask: boolean): boolean {
    const hook = this.hook;
    if (!hook) return false;
    const fn = this.model.lib.fn;
    const name = fn.ggml_get_name(t) as string;
    const match = siteTensors.find((s) => name.startsWith(s.prefix));
    if (!match) return !ask;
    const layer = Number(name.slice(match.prefix.length));
    const layers = match.site === "residual" ? hook.layers : hook.oProjInputLayers;
    if (ask) return layers?.has(layer) ?? false;
    if (this.hookError !== undefined) return false;
    if (!layers?.has(layer)) return true;
    try {
      const { nEmbd } = this.model;
      const count = Number(fn.ggml_nelements(t));
      const rows = count / nEmbd;
      // kqv_out holds every token of the batch (llama.cpp drops unused rows after attention); the
      // last block's l_out only the rows that produce logits.
      const positions =
        rows === this.chunkPositions.length
          ? this.chunkPositions
          : match.site === "residual" && rows === this.chunkOutputPositions.length
            ? this.chunkOutputPositions
            : undefined;
      if (!positions) {
        if (match.site === "o-proj-input")
          throw new ConfigError(
            `the attention output projection input of block ${layer} (${name}) has ${count / this.chunkPositions.length} values per token (n_head·head_dim), not the hidden size ${nEmbd}: this model cannot be captured or steered at site "o-proj-input"; use the residual site`,
            "site",
          );
        throw new Error(
          `internal: ${name} has ${rows} rows but the batch has ${this.chunkPositions.length} tokens`,
        );
      }
      const all = new Float32Array(koffi.view(fn.ggml_get_data(t), count * 4));
      for (let r = 0; r < rows; r++) {
        hook.onRow({
          layer,
          site: match.site,
          position: positions[r]!,
          h: all.subarray(r * nEmbd, (r + 1) * nEmbd),
        });
      }
      return true;
    } catch (error) {
      // Returning false aborts the graph; the error is rethrown by evaluate().
      this.hookError = error;
      return false;
    }
  }

  /** Frees the context, its batch and its callback. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.busy;
    this.closed = true;
    const fn = this.model.lib.fn;
    fn.llama_batch_free(this.batch);
    fn.llama_free(this.ptr);
    if (this.callback) koffi.unregister(this.callback);
  }
}
