import {
  type LlamaContext,
  type LlamaContextSequence,
  LlamaGrammarEvaluationState,
  type LlamaJsonSchemaGrammar,
  type LlamaModel,
  type Token,
  TokenBias,
} from "node-llama-cpp";
import type { FinishReason } from "../../model/language-model.ts";
import { generatedText } from "./generated-text.ts";
import type { AddonLora, NodeLoraAdapters } from "./node-lora.ts";
import { ResourcePool } from "./resource-pool.ts";
import { StopDetector } from "./stop-detector.ts";
import { TextStreamer } from "./text-streamer.ts";

/** Sampling settings of one sample. */
export interface SampleOptions {
  temperature: number;
  topP?: number;
  topK?: number;
  seed?: number;
  maxTokens: number;
  /**
   * vLLM's `min_tokens`: while fewer tokens than this were generated, `endTokens` get a -inf logit
   * (llama.cpp's logit-bias sampler, first in the chain, so also under a grammar), and a stop
   * string only counts when it ends after the text of the first `minTokens` tokens.
   */
  minTokens?: number;
  /** Every end-of-generation token of the vocabulary (needed with `minTokens`). */
  endTokens?: readonly number[];
  stops: readonly string[];
  grammar?: LlamaJsonSchemaGrammar<never>;
  signal?: AbortSignal;
  /** Trim trailing whitespace from the text (JSON grammars allow it; node-llama-cpp trims it too). */
  trimEnd?: boolean;
  /**
   * Called with each new piece of text as tokens are produced; pieces that may still turn into a
   * stop string (or be rewritten by later tokens) are held back, so they concatenate to `text`.
   */
  onText?: (delta: string) => void;
}

/** One generated sample: its tokens, its text (cut at a stop string) and why it ended. */
export interface Sample {
  tokens: number[];
  text: string;
  finishReason: FinishReason;
}

interface Slot {
  context: LlamaContext;
  sequence: LlamaContextSequence;
  /** The adapters this context serves, and the generator's loraVersion they came from. */
  lora: readonly AddonLora[];
  loraVersion: number;
}

/** LoRA adapters for every context: node-llama-cpp's native objects and their scales. */
export interface NodeLoraSet {
  loras: readonly AddonLora[];
  scales: readonly number[];
}

/**
 * Generation on node-llama-cpp: a pool of single-sequence contexts (on CPU, two 1-thread contexts
 * decoding side by side beat one context with two sequences, see docs/engines-llamacpp.md), each
 * reusing the KV cache of the longest common prefix with its previous prompt unless `reusePrefix`
 * is false.
 */
export class NodeGenerator {
  private readonly pool: ResourcePool<Slot>;
  private lora: NodeLoraSet = { loras: [], scales: [] };
  private loraVersion = 0;

  constructor(
    private readonly model: LlamaModel,
    createContext: () => Promise<LlamaContext>,
    parallel: number,
    private readonly adapters: NodeLoraAdapters,
    // llama.cpp's logits depend (~1e-6) on how a prompt's tokens were split into batches, so a
    // reused prefix can flip a sample; with several contexts, which one served the previous
    // request is timing. false: every sample starts from an empty cache (reproducible).
    private readonly reusePrefix = true,
  ) {
    this.pool = new ResourcePool<Slot>(
      async () => {
        const context = await createContext();
        return { context, sequence: context.getSequence(), lora: [], loraVersion: -1 };
      },
      async (slot) => {
        await slot.context.dispose();
      },
      parallel,
    );
  }

  /**
   * Serves `lora` from the next sample on: idle contexts switch now, busy ones when next used
   * (the model's SwapGate makes sure none is busy). Their KV caches are cleared.
   */
  async setLora(lora: NodeLoraSet): Promise<void> {
    this.lora = lora;
    this.loraVersion++;
    for (const slot of [...this.pool.idleResources]) await this.syncLora(slot);
  }

  /** Every adapter some context serves now (the rest can be freed). */
  lorasInUse(): Set<AddonLora> {
    const inUse = new Set<AddonLora>(this.lora.loras);
    for (const slot of this.pool.resources) for (const lora of slot.lora) inUse.add(lora);
    return inUse;
  }

  /** Generates one sample continuing `prompt` (token ids). */
  sample(prompt: readonly number[], options: SampleOptions): Promise<Sample> {
    return this.pool.use(async (slot) => {
      await this.syncLora(slot);
      return this.sampleOn(slot.sequence, prompt, options);
    });
  }

  private async syncLora(slot: Slot): Promise<void> {
    if (slot.loraVersion === this.loraVersion) return;
    const { loras, scales } = this.lora;
    this.adapters.apply(slot.context, loras, scales);
    slot.lora = loras;
    slot.loraVersion = this.loraVersion;
    // The cached prefix was computed with other adapters.
    await slot.sequence.clearHistory();
  }

  private async sampleOn(
    sequence: LlamaContextSequence,
    prompt: readonly number[],
    options: SampleOptions,
  ): Promise<Sample> {
    const model = this.model;
    const cached = sequence.contextTokens;
    let common = 0;
    // Keep at least one prompt token to evaluate: its logits give the first sampled token.
    while (
      this.reusePrefix &&
      common < cached.length &&
      common < prompt.length - 1 &&
      cached[common] === prompt[common]
    )
      common++;
    if (common < sequence.nextTokenIndex) {
      await sequence.eraseContextTokenRanges([{ start: common, end: sequence.nextTokenIndex }]);
    }
    const room = sequence.contextSize - prompt.length;
    const maxTokens = Math.min(options.maxTokens, Math.max(0, room));
    const tokens: number[] = [];
    if (maxTokens === 0) return { tokens, text: "", finishReason: "length" };
    const grammarEvaluationState = options.grammar
      ? new LlamaGrammarEvaluationState({ model, grammar: options.grammar })
      : undefined;
    const minTokens = options.minTokens ?? 0;
    const stop = new StopDetector(options.stops, minTokens);
    const tokenBias =
      minTokens > 0
        ? endTokenBan(model, options.endTokens ?? [], () => tokens.length < minTokens)
        : undefined;
    const streamer = options.onText ? new TextStreamer(options.stops, options.onText) : undefined;
    let finishReason: FinishReason = "stop";
    let text: string | undefined;
    const generator = sequence.evaluate(prompt.slice(common) as Token[], {
      temperature: options.temperature,
      ...(options.topK !== undefined ? { topK: options.topK } : {}),
      ...(options.topP !== undefined ? { topP: options.topP } : {}),
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      ...(grammarEvaluationState ? { grammarEvaluationState } : {}),
      ...(tokenBias ? { tokenBias } : {}),
      contextShift: { strategy: "eraseBeginning" },
    });
    try {
      for await (const token of generator) {
        tokens.push(token);
        if (stop.active || streamer) {
          const full = generatedText(model, tokens, prompt);
          const at = stop.find(full, tokens.length);
          if (at >= 0) {
            text = full.slice(0, at);
            finishReason = "stop";
            break;
          }
          streamer?.update(full);
        }
        if (options.signal?.aborted) {
          finishReason = "other";
          break;
        }
        if (tokens.length >= maxTokens) {
          finishReason = "length";
          break;
        }
      }
    } finally {
      await generator.return();
    }
    options.signal?.throwIfAborted();
    text ??= generatedText(model, tokens, prompt);
    if (options.trimEnd) text = text.trimEnd();
    streamer?.finish(text);
    return { tokens, text, finishReason };
  }

  /** Runs `task` on one of the pool's sequences (it must leave the sequence cleared or reusable). */
  withSequence<R>(task: (sequence: LlamaContextSequence) => Promise<R>): Promise<R> {
    return this.pool.use(async (slot) => {
      await this.syncLora(slot);
      return task(slot.sequence);
    });
  }

  /** Disposes every context. */
  close(): Promise<void> {
    return this.pool.close();
  }
}

/**
 * A token bias (re-read by node-llama-cpp before every sampled token) that gives every
 * end-of-generation token a -inf logit while `active()` holds, and nothing afterwards.
 * `TokenBias.set` skips EOG tokens on purpose, so the ban goes into its map directly
 * (node-llama-cpp 3.21.1, pinned; the llamacpp tests check that EOG is really never sampled).
 */
function endTokenBan(
  model: LlamaModel,
  endTokens: readonly number[],
  active: () => boolean,
): () => TokenBias {
  const ban = TokenBias.for(model);
  const biases = (ban as unknown as { _biases: Map<number, number> })._biases;
  for (const token of endTokens) biases.set(token, Number.NEGATIVE_INFINITY);
  const none = TokenBias.for(model);
  return () => (active() ? ban : none);
}
