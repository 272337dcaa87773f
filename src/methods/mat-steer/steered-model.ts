import type { Decoder } from "../../model/decoder.ts";
import { ConfigError, UsageError } from "../../model/errors.ts";
import type {
  Capabilities,
  GenerateRequest,
  GenerateResult,
  LanguageModel,
  ScoreRequest,
  ScoreResult,
} from "../../model/language-model.ts";
import { requireDecoder, requireInternals } from "../../model/require-capability.ts";
import { canonicalHash } from "../../runtime/canonical-json.ts";
import { continuationLogprobs } from "./evaluate-steering.ts";
import { steeringIntervention } from "./steer-intervention.ts";
import type { SteererFile } from "./steerer-file.ts";

/**
 * sha256 of what a steerer does to the model (hidden size, site, θ, gates, multiplier, norm
 * preservation), not of the training record or the model path it names: two steer.json files
 * that steer alike share a fingerprint.
 */
export function steererFingerprint(steering: Pick<SteererFile, "nEmbd" | "site" | "steerer">) {
  return canonicalHash({ nEmbd: steering.nEmbd, site: steering.site, steerer: steering.steerer });
}

/**
 * A local model with a MAT-Steer steerer applied to every call: `generate` runs on the engine's
 * internals path with the steerer's intervention, `score` is the steered teacher-forced
 * log-likelihood (one forward pass over prompt + continuation, see `continuationLogprobs`).
 *
 * Identity: `id` and `provider` carry the first 16 hex digits of `steererFingerprint`
 * (`<id>+steer:<fp>`, `llamacpp+steer:<fp>`). The runtime's call cache keys a call on provider,
 * weights and request, so steered results never mix with unsteered ones or with another
 * steerer's, even inside a pool that keys the weights by their sha256.
 *
 * Capabilities are what that path offers: samples (`n`) are generated one after another, seeds
 * and full logprobs work, JSON schemas do not (no grammar with hooks), `score` takes raw-text
 * prompts only, and there is no decoder or internals (they would run unsteered).
 * `close()` closes the inner model.
 * @throws UsageError when the steerer's hidden size is not the model's; ConfigError for a layer
 *   outside the model; CapabilityError for a model without internals (servers).
 * @example
 * const model = steeredModel(await loadLlamaCppModel({ modelPath, gpu: false }), await loadSteerer("steer.json"));
 * await model.generate({ prompt: "Lily was", maxTokens: 20, temperature: 0 });
 */
export function steeredModel(
  inner: LanguageModel,
  steering: SteererFile,
  options: { source?: string } = {},
): LanguageModel {
  const internals = requireInternals(inner);
  const source = options.source ?? "the steerer";
  if (internals.nEmbd !== steering.nEmbd)
    throw new UsageError(
      `${source} was trained for hidden size ${steering.nEmbd}, but ${inner.id} has ${internals.nEmbd}; train a steerer on this model`,
    );
  const interventions = [steeringIntervention(steering.steerer, steering.site, internals.nLayers)];
  const tag = `steer:${steererFingerprint(steering).slice(0, 16)}`;
  const capabilities: Capabilities = {
    ...inner.capabilities,
    score: true,
    n: true,
    seed: true,
    jsonSchema: false,
    rawPrompt: true,
    decoder: false,
    internals: false,
  };
  // One decoder (tokenizer access) for every score call, closed with the model.
  let decoder: Decoder | undefined;
  return {
    id: `${inner.id}+${tag}`,
    provider: `${inner.provider}+${tag}`,
    capabilities,
    generate(request: GenerateRequest): Promise<GenerateResult> {
      return internals.generate({ ...request, interventions });
    },
    async score(request: ScoreRequest): Promise<ScoreResult> {
      if (typeof request.prompt !== "string")
        throw new ConfigError(
          "a steered model scores raw-text prompts only (the internals path has no chat template); pass the prompt as a string",
          "prompt",
        );
      const started = performance.now();
      decoder ??= requireDecoder(inner);
      const { tokens, inputTokens } = await continuationLogprobs(
        inner,
        decoder,
        request.prompt,
        request.continuation,
        interventions,
        request.topLogprobs ?? 0,
      );
      request.signal?.throwIfAborted();
      return {
        tokens,
        total: tokens.reduce((sum, t) => sum + t.logprob, 0),
        usage: { inputTokens, outputTokens: 0 },
        meta: { latencyMs: performance.now() - started },
      };
    },
    async close() {
      try {
        await decoder?.close();
      } finally {
        decoder = undefined;
        await inner.close?.();
      }
    },
  };
}
