import type { Decoder, DecoderStream } from "../../model/decoder.ts";
import { ConfigError } from "../../model/errors.ts";
import {
  type ContextDecodeRequest,
  type ContextDecodeResult,
  type ContextDecodeStep,
  type ContextDecoding,
  contextDecodingDefaults,
} from "./context-decoding.ts";
import { contrastiveLogits, flooredAlpha } from "./contrastive-logits.ts";
import { jensenShannon } from "./jensen-shannon.ts";
import { PromptTooLongError } from "./prompt-too-long-error.ts";
import { argmax, sampleNucleus, seededRandom } from "./token-choice.ts";

/**
 * AdaCAD / CAD / greedy on an engine with full raw logits: two streams (context and plain) in
 * lockstep, each step combined in logit space, the chosen token pushed to both (never
 * re-tokenized text, so the streams cannot drift apart).
 */
export async function decodeWithLogits(
  decoder: Decoder,
  request: ContextDecodeRequest,
  decoding: ContextDecoding,
): Promise<ContextDecodeResult> {
  validateDecoding(decoding);
  const maxTokens = request.maxTokens ?? contextDecodingDefaults.maxTokens;
  if (!Number.isInteger(maxTokens) || maxTokens < 1) {
    throw new ConfigError(`maxTokens must be a positive integer, got ${maxTokens}`, "maxTokens");
  }
  const contextIds = await decoder.tokenize(request.contextPrompt, { addBos: true });
  const plainIds = await decoder.tokenize(request.plainPrompt, { addBos: true });
  const limit = request.maxPromptTokens;
  if (limit !== undefined) {
    const longest = Math.max(contextIds.length, plainIds.length);
    if (longest > limit) throw new PromptTooLongError(longest, limit);
  }
  const twoStreams = decoding.kind !== "greedy";
  const started = performance.now();
  // Both prefills at once: engines that run streams on separate contexts evaluate them in parallel.
  const opened = await Promise.allSettled(
    (twoStreams ? [contextIds, plainIds] : [contextIds]).map((ids) => decoder.open(ids)),
  );
  const streams: DecoderStream[] = opened.flatMap((o) =>
    o.status === "fulfilled" ? [o.value] : [],
  );
  try {
    const failed = opened.find((o) => o.status === "rejected");
    if (failed) throw (failed as PromiseRejectedResult).reason;
    const prefilled = performance.now();
    const end = new Set(decoder.endTokens);
    const topP = decoding.kind === "greedy" ? 0 : (decoding.topP ?? contextDecodingDefaults.topP);
    const random = seededRandom(
      decoding.kind === "greedy" ? 0 : (decoding.seed ?? contextDecodingDefaults.seed),
    );
    const combined = new Float32Array(decoder.vocabSize);
    const tokens: number[] = [];
    const steps: ContextDecodeStep[] = [];
    let finishReason: "stop" | "length" = "length";
    for (let step = 0; step < maxTokens; step++) {
      request.signal?.throwIfAborted();
      const zc = streams[0]!.logits();
      let scores: Float32Array = zc;
      let alpha = 0;
      let jsd = Number.NaN;
      let plainArgmax = -1;
      if (twoStreams) {
        const zn = streams[1]!.logits();
        plainArgmax = argmax(zn);
        if (decoding.kind === "adacad") {
          jsd = jensenShannon(zc, zn);
          alpha = flooredAlpha(jsd, decoding.alphaFloor ?? contextDecodingDefaults.alphaFloor);
        } else {
          alpha = (decoding as { alpha: number }).alpha;
        }
        scores = alpha === 0 ? zc : contrastiveLogits(zc, zn, alpha, combined);
      }
      const contextArgmax = argmax(zc);
      const token =
        topP > 0
          ? sampleNucleus(scores, topP, random)
          : scores === zc
            ? contextArgmax
            : argmax(scores);
      if (end.has(token)) {
        finishReason = "stop";
        break;
      }
      tokens.push(token);
      steps.push({
        token,
        text: decoder.tokenText(token),
        alpha,
        jsd,
        contextArgmax,
        contextArgmaxText: decoder.tokenText(contextArgmax),
        plainArgmax,
      });
      // The last step needs no evaluation: nothing reads its logits.
      if (step + 1 < maxTokens) await Promise.all(streams.map((s) => s.push(token)));
    }
    return {
      text: await decoder.detokenize(tokens),
      tokens,
      steps,
      finishReason,
      approximate: false,
      promptTokens: { context: contextIds.length, plain: plainIds.length },
      timings: { prefillMs: prefilled - started, decodeMs: performance.now() - prefilled },
    };
  } finally {
    await Promise.all(streams.map((s) => s.close()));
  }
}

/** Rejects α, floors and top-p outside their ranges with the field named. */
export function validateDecoding(decoding: ContextDecoding): void {
  if (decoding.kind === "greedy") return;
  const topP = decoding.topP ?? 0;
  if (!(topP >= 0 && topP <= 1)) {
    throw new ConfigError(`topP must be in [0, 1] (0 = greedy), got ${topP}`, "topP");
  }
  if (decoding.kind === "adacad") {
    const floor = decoding.alphaFloor ?? 0;
    if (!(floor >= 0 && floor <= 1)) {
      throw new ConfigError(
        `alphaFloor must be in [0, 1] (0 for QA, 0.3 for summaries), got ${floor}`,
        "alphaFloor",
      );
    }
  } else if (!(Number.isFinite(decoding.alpha) && decoding.alpha >= 0)) {
    throw new ConfigError(
      `CAD alpha must be a finite number ≥ 0 (1 for QA, 0.5 for summaries), got ${decoding.alpha}`,
      "alpha",
    );
  }
}
