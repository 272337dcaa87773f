import { ConfigError } from "../../model/errors.ts";
import type {
  ControlVector,
  HiddenStates,
  HookSite,
  Internals,
  InternalsGenerateRequest,
  Intervention,
  PositionSelector,
} from "../../model/internals.ts";
import type {
  FinishReason,
  GenerateResult,
  Generation,
  TokenLogprob,
} from "../../model/language-model.ts";
import type { PreparedPrompt } from "./chat-prompt.ts";
import type { ContextHook, NativeContext } from "./ffi/native-context.ts";
import type { NativeEngine } from "./ffi/native-engine.ts";
import { generatedText } from "./generated-text.ts";
import { checkMinTokens, withoutEndTokens } from "./min-tokens.ts";
import { sampleToken, seededRandom } from "./sampler.ts";
import { StopDetector } from "./stop-detector.ts";
import { TextStreamer } from "./text-streamer.ts";
import { logprobsFromLogits } from "./token-logprobs.ts";

/** How the model turns requests into prompt tokens (shared with `generate`). */
export interface PromptPreparer {
  /** Chat-templated (user message, open assistant turn) unless `raw`. */
  text(prompt: string, raw: boolean): PreparedPrompt;
  request(request: InternalsGenerateRequest): PreparedPrompt;
  defaultSeed(): number;
}

/**
 * White-box access on the FFI path: hidden states through `cb_eval` on `l_out-<layer>` (the
 * residual stream after block `layer`, control vector included) or `kqv_out-<layer>` (the input of
 * block `layer`'s attention output projection), per-token interventions that edit those rows in
 * place, and llama.cpp control vectors. Runs on hookable contexts, decoded on the main
 * thread one step at a time (the event loop gets a turn between steps).
 */
export class LlamaCppInternals implements Internals {
  constructor(
    private readonly engine: NativeEngine,
    private readonly prompts: PromptPreparer,
  ) {}

  get nLayers(): number {
    return this.engine.model.nLayer;
  }

  get nEmbd(): number {
    return this.engine.model.nEmbd;
  }

  async captureHidden(
    prompt: string,
    options: {
      layers: readonly number[];
      positions?: PositionSelector;
      rawPrompt?: boolean;
      site?: HookSite;
    },
  ): Promise<HiddenStates> {
    const site = checkSite(options.site);
    const { tokens } = this.prompts.text(prompt, options.rawPrompt ?? false);
    const layers = [...new Set(options.layers)];
    if (layers.length === 0)
      throw new ConfigError("captureHidden needs at least one layer", "layers");
    for (const layer of layers) this.checkLayer(layer);
    const positions = resolvePositions(options.positions ?? "last", tokens.length);
    const wanted = new Map(positions.map((p, i) => [p, i]));
    const states = new Map<number, Float32Array[]>(
      layers.map((l) => [l, new Array<Float32Array>(positions.length)]),
    );
    // The last block's output has only the rows that produce logits, so ask for logits at every
    // captured position when the last layer's residual stream is captured.
    const needRows = site === "residual" && layers.includes(this.nLayers - 1);
    await this.engine.use("hookable", async (context) => {
      context.clear();
      context.setHook({
        layers: site === "residual" ? new Set(layers) : new Set(),
        oProjInputLayers: site === "o-proj-input" ? new Set(layers) : new Set(),
        onRow: ({ layer, position, h }) => {
          const slot = wanted.get(position);
          if (slot !== undefined) states.get(layer)![slot] = h.slice();
        },
      });
      await context.evaluate(tokens, {
        wantLogits: (i) => i === tokens.length - 1 || (needRows && wanted.has(i)),
      });
      await yieldToEventLoop();
    });
    for (const layer of layers)
      if (states.get(layer)!.some((row) => row === undefined)) throw missingTensor(site, layer);
    return { layers, positions, states, nEmbd: this.nEmbd };
  }

  async logits(
    prompt: string,
    options: { interventions?: readonly Intervention[]; controlVector?: ControlVector } = {},
  ): Promise<Float32Array> {
    const { tokens } = this.prompts.text(prompt, true);
    const out = new Float32Array(this.engine.model.nVocab);
    await this.withSteering(options.interventions, options.controlVector, async (context, hook) => {
      hook.promptLength = tokens.length;
      await context.evaluate(tokens, { onLogits: (_i, l) => out.set(l) });
    });
    return out;
  }

  async continuationLogits(
    prompt: string,
    continuation: string,
    options: { interventions?: readonly Intervention[]; controlVector?: ControlVector } = {},
  ): Promise<{ tokens: number[]; logits: Float32Array[]; inputTokens: number }> {
    const full = this.prompts.text(prompt + continuation, true).tokens;
    const head = this.prompts.text(prompt, true).tokens;
    let common = 0;
    while (common < head.length && common < full.length && head[common] === full[common]) common++;
    // the first token (BOS or the first word) has no prediction to score
    common = Math.max(common, 1);
    const logits: Float32Array[] = [];
    await this.withSteering(options.interventions, options.controlVector, async (context, hook) => {
      hook.promptLength = common;
      await context.evaluate(full, {
        wantLogits: (i) => i >= common - 1 && i < full.length - 1,
        onLogits: (i, row) => {
          logits[i - (common - 1)] = row.slice();
        },
      });
    });
    return { tokens: full.slice(common), logits, inputTokens: full.length };
  }

  async generate(request: InternalsGenerateRequest): Promise<GenerateResult> {
    if (request.jsonSchema) {
      throw new ConfigError(
        "jsonSchema cannot be combined with interventions or control vectors on the llamacpp engine; generate without them, or validate the output yourself",
        "jsonSchema",
      );
    }
    checkMinTokens(request.minTokens ?? 0, request.maxTokens);
    const prepared = this.prompts.request(request);
    const n = request.n ?? 1;
    const baseSeed = request.seed ?? this.prompts.defaultSeed();
    const generations: Generation[] = [];
    let outputTokens = 0;
    for (let i = 0; i < n; i++) {
      const generation = await this.generateOne(request, prepared, baseSeed + i, i);
      outputTokens += generation.tokenCount;
      generations.push(generation.generation);
    }
    return { generations, usage: { inputTokens: prepared.tokens.length, outputTokens } };
  }

  private async generateOne(
    request: InternalsGenerateRequest,
    prepared: PreparedPrompt,
    seed: number,
    sampleIndex: number,
  ): Promise<{ generation: Generation; tokenCount: number }> {
    const model = this.engine.model;
    const random = seededRandom(seed);
    const stops = [...(request.stop ?? []), ...prepared.stops];
    const minTokens = request.minTokens ?? 0;
    const stop = new StopDetector(stops, minTokens);
    const onText = request.onText;
    const streamer = onText
      ? new TextStreamer(stops, (delta) => onText(sampleIndex, delta))
      : undefined;
    const end = new Set(model.endTokens);
    const generated: number[] = [];
    const logprobs: TokenLogprob[] = [];
    const logits = new Float32Array(model.nVocab);
    let text: string | undefined;
    let finishReason: FinishReason = "length";
    await this.withSteering(request.interventions, request.controlVector, async (context, hook) => {
      const prompt = prepared.tokens;
      hook.promptLength = prompt.length;
      const maxTokens = Math.min(
        request.maxTokens ?? Number.POSITIVE_INFINITY,
        context.nCtx - prompt.length,
      );
      await context.evaluate(prompt, { onLogits: (_i, l) => logits.set(l) });
      while (generated.length < maxTokens) {
        request.signal?.throwIfAborted();
        // vLLM's min_tokens: no end-of-generation token before minTokens; logprobs stay raw
        const token = sampleToken(
          generated.length < minTokens ? withoutEndTokens(logits, end) : logits,
          request,
          random,
        );
        if (request.logprobs !== undefined) {
          const lp = logprobsFromLogits(logits, token, request.logprobs);
          logprobs.push({
            token: model.tokenText(token),
            logprob: lp.logprob,
            top: lp.top.map((t) => ({ token: model.tokenText(t.token), logprob: t.logprob })),
          });
        }
        if (end.has(token)) {
          finishReason = "stop";
          logprobs.pop();
          break;
        }
        generated.push(token);
        if (stop.active || streamer) {
          const full = generatedText(model, generated, prompt);
          const at = stop.active ? stop.find(full, generated.length) : -1;
          if (at >= 0) {
            text = full.slice(0, at);
            finishReason = "stop";
            break;
          }
          streamer?.update(full);
        }
        if (generated.length >= maxTokens) break;
        await context.evaluate([token], { onLogits: (_i, l) => logits.set(l) });
        await yieldToEventLoop();
      }
    });
    if (text !== undefined && request.logprobs !== undefined) {
      // Drop the logprobs of tokens that lie after the stop string.
      let kept = 0;
      while (
        kept < generated.length &&
        generatedText(model, generated.slice(0, kept), prepared.tokens).length < text.length
      )
        kept++;
      logprobs.length = Math.min(logprobs.length, kept);
    }
    const finalText = text ?? generatedText(model, generated, prepared.tokens);
    streamer?.finish(finalText);
    const generation: Generation = {
      text: finalText,
      finishReason,
      ...(request.logprobs !== undefined ? { logprobs } : {}),
    };
    return { generation, tokenCount: generated.length };
  }

  /**
   * Runs `task` on a context with the control vector applied and the interventions hooked in.
   * Without interventions a plain (worker-thread) context is enough; with them, a hookable one.
   */
  private async withSteering(
    interventions: readonly Intervention[] | undefined,
    controlVector: ControlVector | undefined,
    task: (context: NativeContext, hook: { promptLength: number }) => Promise<void>,
  ): Promise<void> {
    const list = interventions ?? [];
    for (const intervention of list) {
      this.checkLayer(intervention.layer);
      checkSite(intervention.site);
    }
    const state = { promptLength: 0 };
    const kind = list.length > 0 ? "hookable" : "plain";
    await this.engine.use(kind, async (context) => {
      context.clear();
      context.setControlVector(controlVector?.vectors);
      if (list.length > 0) {
        const bySite: Record<HookSite, Map<number, Intervention[]>> = {
          residual: new Map(),
          "o-proj-input": new Map(),
        };
        for (const i of list) {
          const byLayer = bySite[i.site ?? "residual"];
          byLayer.set(i.layer, [...(byLayer.get(i.layer) ?? []), i]);
        }
        const seen = new Set<string>();
        const hook: ContextHook = {
          layers: new Set(bySite.residual.keys()),
          oProjInputLayers: new Set(bySite["o-proj-input"].keys()),
          onRow: ({ layer, site, position, h }) => {
            seen.add(`${site}:${layer}`);
            const phase = position < state.promptLength ? "prompt" : "generate";
            for (const i of bySite[site].get(layer) ?? [])
              i.edit(h, { position, phase, promptLength: state.promptLength });
          },
        };
        context.setHook(hook);
        await task(context, state);
        // An architecture whose graph names the tensor differently would skip the edit silently.
        for (const [site, byLayer] of Object.entries(bySite) as [HookSite, Map<number, unknown>][])
          for (const layer of byLayer.keys())
            if (!seen.has(`${site}:${layer}`)) throw missingTensor(site, layer);
        return;
      }
      await task(context, state);
    });
  }

  private checkLayer(layer: number): void {
    if (!Number.isInteger(layer) || layer < 0 || layer >= this.nLayers) {
      throw new ConfigError(
        `layer ${layer} is out of range: this model has layers 0..${this.nLayers - 1}`,
        "layer",
      );
    }
  }
}

function missingTensor(site: HookSite, layer: number): ConfigError {
  const tensor = site === "residual" ? `l_out-${layer}` : `kqv_out-${layer}`;
  return new ConfigError(
    `this model's llama.cpp graph has no tensor ${tensor}, so site "${site}" of layer ${layer} cannot be captured or steered for its architecture`,
    "site",
  );
}

function checkSite(site: HookSite | undefined): HookSite {
  if (site === undefined || site === "residual" || site === "o-proj-input")
    return site ?? "residual";
  throw new ConfigError(
    `unknown hook site "${String(site)}": use "residual" (the block's output) or "o-proj-input" (the input of its attention output projection)`,
    "site",
  );
}

function resolvePositions(selector: PositionSelector, length: number): number[] {
  if (selector === "last") return [length - 1];
  if (selector === "all") return Array.from({ length }, (_, i) => i);
  return selector.map((p) => {
    const position = p < 0 ? length + p : p;
    if (!Number.isInteger(position) || position < 0 || position >= length) {
      throw new ConfigError(
        `position ${p} is outside the prompt (${length} tokens; negative positions count from the end)`,
        "positions",
      );
    }
    return position;
  });
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
