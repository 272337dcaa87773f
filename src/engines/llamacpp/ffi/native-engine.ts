import { NativeContext, type NativeContextOptions } from "./native-context.ts";
import { type NativeLora, NativeModel } from "./native-model.ts";

/** How the FFI side builds its contexts. */
export interface NativeEngineOptions {
  contextSize: number;
  batchSize: number;
  threads: number;
  threadsBatch: number;
  lora: readonly NativeLora[];
}

/**
 * The FFI side of one loaded model: its own NativeModel plus two free lists of contexts, plain ones
 * (llama_decode on a koffi worker thread, for decoder streams and scoring) and hookable ones (with a
 * `cb_eval`, decoded on the main thread because koffi would relay every graph node's callback from a
 * worker thread to the main thread, which measured 30x slower).
 */
export class NativeEngine {
  private readonly freePlain: NativeContext[] = [];
  private readonly freeHookable: NativeContext[] = [];
  private readonly live = new Set<NativeContext>();
  private closed = false;

  private constructor(
    readonly model: NativeModel,
    private readonly options: NativeEngineOptions,
  ) {}

  static load(path: string, options: NativeEngineOptions): NativeEngine {
    return new NativeEngine(NativeModel.load(path, options.lora), options);
  }

  /** A cleared context of the given kind; give it back with `release`. */
  acquire(kind: "plain" | "hookable"): NativeContext {
    if (this.closed) throw new Error("the model is closed");
    const free = kind === "plain" ? this.freePlain : this.freeHookable;
    const ready = free.pop();
    if (ready) return ready;
    const options: NativeContextOptions = {
      contextSize: this.options.contextSize,
      batchSize: this.options.batchSize,
      threads: this.options.threads,
      threadsBatch: this.options.threadsBatch,
      hookable: kind === "hookable",
      async: kind === "plain",
    };
    const context = new NativeContext(this.model, options);
    this.live.add(context);
    return context;
  }

  /** Returns a context to its free list (hook and control vector removed, adapters current). */
  release(context: NativeContext): void {
    if (this.closed) {
      void context.close();
      return;
    }
    context.resetSteering();
    // A context held across a setLora (a decoder stream) kept its adapters until now.
    const switched = context.syncLora();
    (context.options.hookable ? this.freeHookable : this.freePlain).push(context);
    if (switched) this.freeUnusedLora();
  }

  /**
   * Serves `lora` from now on: free contexts switch at once, contexts in use (open decoder
   * streams) when they are released. Old adapters are freed once no context serves them.
   * @throws ConfigError when llama.cpp refuses a file (nothing changes then).
   */
  setLora(lora: readonly NativeLora[]): void {
    this.model.setLora(lora);
    for (const context of [...this.freePlain, ...this.freeHookable]) context.syncLora();
    this.freeUnusedLora();
  }

  private freeUnusedLora(): void {
    const inUse = new Set<unknown>();
    for (const context of this.live) for (const ptr of context.loraInUse) inUse.add(ptr);
    this.model.freeUnusedLora(inUse);
  }

  /** Runs `task` on a context of `kind`, released afterwards. */
  async use<R>(
    kind: "plain" | "hookable",
    task: (context: NativeContext) => Promise<R>,
  ): Promise<R> {
    const context = this.acquire(kind);
    try {
      return await task(context);
    } finally {
      this.release(context);
    }
  }

  /** Frees every context and the model. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const context of this.live) await context.close();
    this.live.clear();
    this.model.close();
  }
}

/**
 * Evaluates `tokens` on `context` from an empty cache. Reusing a cached prefix would be faster, but
 * llama.cpp's results depend (at the 1e-6 level) on how tokens were split into batches, and
 * callers here (AdaCAD, scoring, parity tests) need the same logits for the same tokens every time.
 */
export async function evaluateFresh(
  context: NativeContext,
  tokens: readonly number[],
  options: Parameters<NativeContext["evaluate"]>[1] = {},
): Promise<void> {
  context.clear();
  await context.evaluate(tokens, options);
}
