import { ConfigError, ModelCallError } from "../../model/errors.ts";
import type { LanguageModel, TopLogprob } from "../../model/language-model.ts";
import {
  type ContextDecodeRequest,
  type ContextDecodeResult,
  type ContextDecodeStep,
  type ContextDecoding,
  contextDecodingDefaults,
} from "./context-decoding.ts";
import { validateDecoding } from "./decode-with-logits.ts";
import { seededRandom } from "./token-choice.ts";
import { approximateStep } from "./top-k-approximation.ts";

/** Settings of the top-k path (OpenAI-compatible servers). */
export interface TopLogprobsOptions {
  /** Alternatives per stream and step (default: the model's maxTopLogprobs, at most 20). */
  topK?: number;
  /** Token texts that end generation; the server does not tell us its EOS ids. */
  endTokenTexts?: readonly string[];
}

/** Common end-of-sequence spellings; "" is what several servers print for a special token. */
export const defaultEndTokenTexts: readonly string[] = [
  "",
  "</s>",
  "<|endoftext|>",
  "<|im_end|>",
  "<|eot_id|>",
  "<|end|>",
  "<end_of_turn>",
];

/** Result of the top-k path: steps carry whether each choice was certified. */
export interface ApproximateDecodeResult extends ContextDecodeResult {
  approximate: true;
  /** Per step: the winner is provably the full method's winner among the context candidates. */
  certified: boolean[];
}

/**
 * AdaCAD / CAD on an engine that only returns top-k logprobs: two one-token completions per step
 * (raw prompt + text generated so far, temperature 1, no penalties), the spec's top-k + REST
 * approximation, marked `approximate`. Token ids are not exposed by the model spec, so the
 * continuation is sent as text; a server may tokenize the joined text differently from the
 * generated tokens (the spec's pitfall 5), which is one more reason this path is approximate.
 */
export async function decodeWithTopLogprobs(
  model: LanguageModel,
  request: ContextDecodeRequest,
  decoding: ContextDecoding,
  options: TopLogprobsOptions = {},
): Promise<ApproximateDecodeResult> {
  validateDecoding(decoding);
  const maxTokens = request.maxTokens ?? contextDecodingDefaults.maxTokens;
  if (!Number.isInteger(maxTokens) || maxTokens < 1) {
    throw new ConfigError(`maxTokens must be a positive integer, got ${maxTokens}`, "maxTokens");
  }
  const topK = options.topK ?? Math.min(20, model.capabilities.maxTopLogprobs);
  if (!Number.isInteger(topK) || topK < 1) {
    throw new ConfigError(
      `topK must be a positive integer (the server's logprobs limit), got ${topK}`,
      "topK",
    );
  }
  const end = new Set(options.endTokenTexts ?? defaultEndTokenTexts);
  const random = seededRandom(decoding.kind === "greedy" ? 0 : (decoding.seed ?? 42));
  const twoStreams = decoding.kind !== "greedy";
  let generated = "";
  const steps: ContextDecodeStep[] = [];
  const certified: boolean[] = [];
  let finishReason: "stop" | "length" = "length";
  for (let step = 0; step < maxTokens; step++) {
    request.signal?.throwIfAborted();
    const [context, plain] = await Promise.all([
      nextTokenLogprobs(model, request.contextPrompt + generated, topK, request.signal),
      twoStreams
        ? nextTokenLogprobs(model, request.plainPrompt + generated, topK, request.signal)
        : Promise.resolve([]),
    ]);
    const choice = approximateStep(context, plain, decoding, random);
    if (end.has(choice.token)) {
      finishReason = "stop";
      break;
    }
    generated += choice.token;
    // Ids are not available over this path; -1 marks "text only" in the trace.
    steps.push({
      token: -1,
      text: choice.token,
      alpha: choice.alpha,
      jsd: choice.jsd,
      contextArgmax: -1,
      contextArgmaxText: choice.contextArgmax,
      plainArgmax: -1,
    });
    certified.push(choice.certified);
  }
  return {
    text: generated,
    tokens: [],
    steps,
    finishReason,
    approximate: true,
    certified,
    promptTokens: { context: -1, plain: -1 },
  };
}

async function nextTokenLogprobs(
  model: LanguageModel,
  prompt: string,
  topK: number,
  signal: AbortSignal | undefined,
): Promise<TopLogprob[]> {
  const result = await model.generate({
    prompt,
    maxTokens: 1,
    temperature: 1,
    topP: 1,
    logprobs: topK,
    ...(signal ? { signal } : {}),
  });
  const first = result.generations[0]?.logprobs?.[0];
  if (!first || first.top.length === 0) {
    throw new ModelCallError(
      `model "${model.id}" returned no top logprobs for a 1-token completion; ` +
        "AdaCAD's top-k path needs a server that returns logprobs (vLLM, llama.cpp server)",
    );
  }
  return first.top;
}
