import {
  type ChatWrapper,
  type Llama,
  type LlamaJsonSchemaGrammar,
  type LlamaModel,
  LlamaText,
  type Token,
} from "node-llama-cpp";
import type { Decoder } from "../../model/decoder.ts";
import { CapabilityError, ConfigError } from "../../model/errors.ts";
import type { Internals, InternalsGenerateRequest } from "../../model/internals.ts";
import type {
  Capabilities,
  GenerateRequest,
  GenerateResult,
  Generation,
  LanguageModel,
  ScoreRequest,
  ScoreResult,
  TokenLogprob,
} from "../../model/language-model.ts";
import type { ActiveLora, LoraSpec } from "../../model/lora.ts";
import { chatPrompt, type PreparedPrompt, rawPrompt } from "./chat-prompt.ts";
import type { NativeEngine } from "./ffi/native-engine.ts";
import { generatedText } from "./generated-text.ts";
import { LlamaCppDecoder } from "./llamacpp-decoder.ts";
import { LlamaCppInternals, type PromptPreparer } from "./llamacpp-internals.ts";
import type { LoraSwitch } from "./lora-switch.ts";
import { checkMinTokens } from "./min-tokens.ts";
import { scoreTokens } from "./native-scorer.ts";
import type { NodeGenerator } from "./node-generator.ts";
import { scoreTokensWithNode } from "./node-scorer.ts";
import type { SwapGate } from "./swap-gate.ts";

/** Everything a loaded model is made of (built by loadLlamaCppModel). */
export interface LlamaCppParts {
  id: string;
  llama: Llama;
  model: LlamaModel;
  chatWrapper: ChatWrapper;
  generator: NodeGenerator;
  /** Loads the FFI side on first use; rejects with the reason it is unavailable. */
  native: () => NativeEngine;
  /** Whether the FFI side can be used (platform, pinned version, verified layouts). */
  nativeAvailable: boolean;
  nativeUnavailableReason?: string;
  defaultSeed?: number;
  vocabSize: number;
  /** The served LoRA adapters and the gate every call passes (swaps wait for running calls). */
  lora: LoraSwitch;
}

/**
 * A GGUF model run in-process: generation through node-llama-cpp (chat templates, samplers,
 * grammars), and raw logits, scoring, decoder streams and internals through the FFI layer on the
 * same libllama.
 */
export class LlamaCppModel implements LanguageModel {
  readonly provider = "llamacpp";
  readonly capabilities: Capabilities;
  private readonly grammars = new Map<string, Promise<LlamaJsonSchemaGrammar<never>>>();
  private readonly decoders = new Set<LlamaCppDecoder>();
  /** White-box access (FFI path); absent where the FFI layer is unavailable. */
  readonly internals?: Internals;
  private closed = false;
  private eogTokens?: readonly number[];

  constructor(
    private readonly parts: LlamaCppParts,
    private readonly onClose: () => Promise<void>,
  ) {
    const full = parts.nativeAvailable;
    this.capabilities = {
      logprobs: "full",
      maxTopLogprobs: parts.vocabSize,
      score: true,
      n: true,
      seed: true,
      jsonSchema: true,
      rawPrompt: true,
      decoder: full,
      internals: full,
      lora: true,
      minTokens: true,
    };
    if (full) {
      const internals = new LlamaCppInternals(
        // Lazily: touching `internals` must not load the FFI copy of the weights.
        new Proxy({} as NativeEngine, {
          get: (_target, key) => {
            const engine = this.requireNative("internals");
            const value = Reflect.get(engine, key, engine);
            return typeof value === "function" ? value.bind(engine) : value;
          },
        }),
        this.promptPreparer(),
      );
      this.internals = gatedInternals(internals, parts.lora.gate);
    }
  }

  get id(): string {
    return this.parts.id;
  }

  /** The underlying node-llama-cpp model (for callers that need its own API). */
  get llamaModel(): LlamaModel {
    return this.parts.model;
  }

  /** The LoRA adapters calls starting now run with (content-hashed; the cache keys on them). */
  get lora(): readonly ActiveLora[] {
    return this.parts.lora.active;
  }

  /**
   * Serves other LoRA adapters (`[]`: the base model) without reloading the weights: the files are
   * checked and loaded first (a bad one throws a ConfigError naming it and changes nothing; calls
   * started meanwhile still run on the old adapters). Then `lora` switches: calls started before
   * finish on the old adapters, and calls started after wait for them and run on the new ones
   * (generation, scoring, logprobs and internals alike). Every call started after the promise
   * resolves uses the new adapters. An open decoder stream keeps the adapters it was opened with.
   * @example
   * await model.setLora([{ path: "round1.gguf" }]);
   * await model.setLora([]); // the base model again
   */
  setLora(adapters: readonly LoraSpec[]): Promise<void> {
    this.checkOpen();
    return this.parts.lora.set(adapters);
  }

  generate(request: GenerateRequest): Promise<GenerateResult> {
    this.checkOpen();
    return this.parts.lora.gate.run(() => this.generateNow(request));
  }

  private async generateNow(request: GenerateRequest): Promise<GenerateResult> {
    const started = performance.now();
    const prepared = this.prepare(request);
    const n = request.n ?? 1;
    if (!Number.isInteger(n) || n < 1)
      throw new ConfigError(`n must be a positive integer, got ${n}`, "n");
    const minTokens = request.minTokens ?? 0;
    checkMinTokens(minTokens, request.maxTokens);
    const grammar = request.jsonSchema ? await this.grammarFor(request.jsonSchema) : undefined;
    const temperature = request.temperature ?? 0;
    const baseSeed = request.seed ?? this.defaultSeed();
    const onText = request.onText;
    const samples = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        this.parts.generator.sample(prepared.tokens, {
          temperature,
          ...(request.topP !== undefined ? { topP: request.topP } : {}),
          ...(request.topK !== undefined ? { topK: request.topK } : {}),
          seed: baseSeed + i,
          maxTokens: request.maxTokens ?? Number.POSITIVE_INFINITY,
          ...(minTokens > 0 ? { minTokens, endTokens: this.endTokens() } : {}),
          stops: [...(request.stop ?? []), ...prepared.stops, ...grammarStops(grammar)],
          ...(grammar ? { grammar } : {}),
          ...(request.signal ? { signal: request.signal } : {}),
          ...(grammar?.trimWhitespaceSuffix ? { trimEnd: true } : {}),
          ...(onText ? { onText: (delta: string) => onText(i, delta) } : {}),
        }),
      ),
    );
    const generations: Generation[] = [];
    for (const sample of samples) {
      // JSON grammars allow trailing whitespace: the generator trims it (`trimEnd`).
      const text = sample.text;
      const generation: Generation = { text, finishReason: sample.finishReason };
      if (request.logprobs !== undefined) {
        const kept = keptTokens(this.parts.model, sample.tokens, text, prepared.tokens);
        generation.logprobs = await this.scoreTokens(prepared.tokens, kept, request.logprobs);
      }
      generations.push(generation);
    }
    return {
      generations,
      usage: {
        inputTokens: prepared.tokens.length,
        outputTokens: samples.reduce((sum, s) => sum + s.tokens.length, 0),
      },
      meta: { latencyMs: performance.now() - started },
    };
  }

  score(request: ScoreRequest): Promise<ScoreResult> {
    this.checkOpen();
    return this.parts.lora.gate.run(() => this.scoreNow(request));
  }

  private async scoreNow(request: ScoreRequest): Promise<ScoreResult> {
    const started = performance.now();
    // Render prompt and prompt+continuation and score what follows their common prefix: the
    // continuation then tokenizes as it would inside the text (no spurious leading-space token).
    const model = this.parts.model;
    const [promptTokens, joint] =
      typeof request.prompt === "string"
        ? [
            rawPrompt(model, request.prompt).tokens,
            rawPrompt(model, request.prompt + request.continuation).tokens,
          ]
        : [
            chatPrompt(model, this.parts.chatWrapper, request.prompt).tokens,
            chatPrompt(model, this.parts.chatWrapper, request.prompt, request.continuation).tokens,
          ];
    let common = 0;
    while (
      common < promptTokens.length &&
      common < joint.length &&
      promptTokens[common] === joint[common]
    )
      common++;
    common = Math.max(1, common);
    const tokens = await this.scoreTokens(
      joint.slice(0, common),
      joint.slice(common),
      request.topLogprobs ?? 0,
    );
    request.signal?.throwIfAborted();
    return {
      tokens,
      total: tokens.reduce((sum, t) => sum + t.logprob, 0),
      usage: { inputTokens: joint.length, outputTokens: 0 },
      meta: { latencyMs: performance.now() - started },
    };
  }

  decoder(): Decoder {
    this.checkOpen();
    const decoder = new LlamaCppDecoder(this.requireNative("decoder"));
    this.decoders.add(decoder);
    return decoder;
  }

  /** Unloads contexts, the FFI copy and the node-llama-cpp model. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // A swap in progress sets adapters on the contexts about to be freed: let it finish first.
    await this.parts.lora.settled();
    for (const decoder of this.decoders) await decoder.close();
    await this.onClose();
  }

  /** Raw logits through the FFI where available, else node-llama-cpp's probability maps. */
  private scoreTokens(
    prompt: readonly number[],
    continuation: readonly number[],
    topLogprobs: number,
  ): Promise<TokenLogprob[]> {
    if (this.parts.nativeAvailable) {
      return scoreTokens(this.parts.native(), prompt, continuation, topLogprobs);
    }
    return this.parts.generator.withSequence((sequence) =>
      scoreTokensWithNode(this.parts.model, sequence, prompt, continuation, topLogprobs),
    );
  }

  private promptPreparer(): PromptPreparer {
    return {
      text: (prompt, raw) =>
        raw
          ? rawPrompt(this.parts.model, prompt)
          : chatPrompt(this.parts.model, this.parts.chatWrapper, [
              { role: "user", content: prompt },
            ]),
      request: (request: InternalsGenerateRequest) => this.prepare(request),
      defaultSeed: () => this.defaultSeed(),
    };
  }

  private prepare(request: GenerateRequest): PreparedPrompt {
    const hasMessages = request.messages !== undefined;
    const hasPrompt = request.prompt !== undefined;
    if (hasMessages === hasPrompt) {
      throw new ConfigError(
        "give exactly one of `messages` (chat) or `prompt` (raw text)",
        hasMessages ? "prompt" : "messages",
      );
    }
    if (request.messages) {
      return chatPrompt(
        this.parts.model,
        this.parts.chatWrapper,
        request.messages,
        request.prefill ?? "",
      );
    }
    return rawPrompt(this.parts.model, request.prompt! + (request.prefill ?? ""));
  }

  private grammarFor(schema: Record<string, unknown>): Promise<LlamaJsonSchemaGrammar<never>> {
    const key = JSON.stringify(schema);
    let grammar = this.grammars.get(key);
    if (!grammar) {
      grammar = this.parts.llama
        .createGrammarForJsonSchema(schema as never)
        .catch((error: unknown) => {
          this.grammars.delete(key);
          throw new ConfigError(
            `this JSON schema cannot be turned into a llama.cpp grammar: ${String(error)}`,
            "jsonSchema",
          );
        }) as Promise<LlamaJsonSchemaGrammar<never>>;
      this.grammars.set(key, grammar);
    }
    return grammar;
  }

  /** Every end-of-generation token of the vocabulary (EOS, EOT, ...), found once. */
  private endTokens(): readonly number[] {
    if (!this.eogTokens) {
      const model = this.parts.model;
      const found = new Set<number>();
      for (let t = 0; t < this.parts.vocabSize; t++) if (model.isEogToken(t as Token)) found.add(t);
      for (const t of [model.tokens.eos, model.tokens.eot])
        if (t !== null && t !== undefined) found.add(t);
      this.eogTokens = [...found];
    }
    return this.eogTokens;
  }

  private defaultSeed(): number {
    return this.parts.defaultSeed ?? Math.floor(Math.random() * 2 ** 31);
  }

  private requireNative(capability: keyof Capabilities): NativeEngine {
    if (!this.parts.nativeAvailable) {
      const error = new CapabilityError(this.id, capability, ["llamacpp (linux-x64, CPU)"]);
      if (this.parts.nativeUnavailableReason)
        error.message += ` (FFI layer unavailable: ${this.parts.nativeUnavailableReason})`;
      throw error;
    }
    return this.parts.native();
  }

  private checkOpen(): void {
    if (this.closed) throw new ConfigError(`model "${this.id}" is closed; load it again`);
  }
}

/**
 * Internals whose calls pass the LoRA gate like generate and score. Only `generate` takes the
 * whole request; the others are one evaluation each.
 */
function gatedInternals(internals: Internals, gate: SwapGate): Internals {
  return {
    get nLayers() {
      return internals.nLayers;
    },
    get nEmbd() {
      return internals.nEmbd;
    },
    captureHidden: (...args) => gate.run(() => internals.captureHidden(...args)),
    logits: (...args) => gate.run(() => internals.logits(...args)),
    continuationLogits: (...args) => gate.run(() => internals.continuationLogits(...args)),
    generate: (...args) => gate.run(() => internals.generate(...args)),
  };
}

/** The plain-text stop triggers of a grammar (JSON grammars stop after 4 newlines). */
function grammarStops(grammar: LlamaJsonSchemaGrammar<never> | undefined): string[] {
  if (!grammar) return [];
  return grammar.stopGenerationTriggers.flatMap((t) => {
    const text = LlamaText(t as never).toString();
    return text.length > 0 ? [text] : [];
  });
}

/** The generated tokens that make up `text` (tokens after a stop string are dropped). */
function keptTokens(
  model: LlamaModel,
  tokens: readonly number[],
  text: string,
  prompt: readonly number[],
): number[] {
  if (generatedText(model, tokens, prompt).length <= text.length) return [...tokens];
  for (let k = 0; k <= tokens.length; k++) {
    if (generatedText(model, tokens.slice(0, k), prompt).length >= text.length)
      return tokens.slice(0, k);
  }
  return [...tokens];
}
