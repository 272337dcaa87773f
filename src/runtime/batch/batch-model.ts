import { type BodyContext, chatBody, completionsBody } from "../../engines/openai/request-body.ts";
import { parseCompletion } from "../../engines/openai/response-parsing.ts";
import { flavorTraits, type ResolvedFlavor } from "../../engines/openai/server-flavor.ts";
import {
  BatchPendingError,
  CapabilityError,
  ModelCallError,
  UsageError,
} from "../../model/errors.ts";
import type {
  GenerateRequest,
  GenerateResult,
  LanguageModel,
  ScoreRequest,
  ScoreResult,
} from "../../model/language-model.ts";
import { canonicalHash } from "../canonical-json.ts";
import { currentItemId } from "../item-context.ts";
import { isDeterministic } from "../wrap-model.ts";
import type { AnswerStore } from "./answer-store.ts";
import type { BatchInputLine } from "./batch-format.ts";
import { type RetryRule, shouldRetry } from "./retry-rule.ts";

/**
 * Where a request without an answer goes: `"offline"` records it for the round's export file and
 * leaves the item pending; `"online"` submits it to a Batch API and waits; `"direct"` calls the
 * server as usual (a run resumed without `--batch` keeps the answers its batches brought back).
 */
export type BatchDispatch =
  | { mode: "offline"; add: (line: BatchInputLine) => void }
  | { mode: "online"; submit: (line: BatchInputLine) => Promise<void> }
  | { mode: "direct" };

export interface BatchModelOptions {
  /** The openai engine's model for the same server model (direct calls, scoring). */
  inner: LanguageModel;
  /** The model name the server (or run-batch) serves, as in the request body. */
  serverModel: string;
  /** The dialect of the bodies; offline defaults to vllm (run-batch), online to openai. */
  flavor: ResolvedFlavor;
  /** "completions" for models configured without a chat template. */
  api?: "chat" | "completions";
  minTokens?: boolean;
  answers: AnswerStore;
  dispatch: BatchDispatch;
  retry: RetryRule;
}

/**
 * A LanguageModel whose calls go through a run's batches. Each call becomes one Batch request
 * whose custom_id is derived from the request itself: the first 56 hex digits of the sha256 of
 * {url, body} (plus the item id for sampled calls, which are never shared between items) and the
 * occurrence of that request within the item in base 36, so a resumed item asks for the same ids
 * in the same order and finds its answers. Bodies are built by the openai engine's builders, so
 * a batched call is the same request the direct path sends.
 */
export function createBatchModel(options: BatchModelOptions): LanguageModel {
  const { inner, answers, dispatch } = options;
  const context: BodyContext = {
    modelId: inner.id,
    model: options.serverModel,
    flavor: options.flavor,
    traits: flavorTraits(options.flavor),
    maxTopLogprobs: inner.capabilities.maxTopLogprobs ?? 20,
    ...(options.minTokens !== undefined ? { minTokens: options.minTokens } : {}),
  };
  /** Per item, how often each request hash was asked so far. */
  const occurrences = new Map<string, Map<string, number>>();

  const customIdOf = (line: Omit<BatchInputLine, "custom_id">, deterministic: boolean): string => {
    const item = deterministic ? undefined : (currentItemId() ?? "");
    const hash = canonicalHash({ url: line.url, body: line.body, item });
    let occurrence = 0;
    if (!deterministic) {
      const seen = occurrences.get(item!) ?? new Map<string, number>();
      occurrence = seen.get(hash) ?? 0;
      seen.set(hash, occurrence + 1);
      occurrences.set(item!, seen);
    }
    return `${hash.slice(0, 56)}-${occurrence.toString(36)}`;
  };

  const generate = async (request: GenerateRequest): Promise<GenerateResult> => {
    const started = performance.now();
    const chat = request.messages !== undefined;
    if (chat === (request.prompt !== undefined))
      throw new UsageError(`model "${inner.id}": give exactly one of messages or prompt`);
    if (chat && options.api === "completions")
      throw new UsageError(`model "${inner.id}" takes raw prompts only (api: "completions")`);
    if (!chat && dispatch.mode === "offline")
      throw new CapabilityError(
        inner.id,
        "raw prompts in an offline batch (vllm run-batch takes /v1/chat/completions only)",
        ["--batch online", "direct calls (no --batch)"],
      );
    const n = request.n ?? 1;
    const { signal: _signal, onText: _onText, ...plain } = request;
    const body = chat ? chatBody(context, plain, n) : completionsBody(context, plain, n);
    const url = chat ? "/v1/chat/completions" : "/v1/completions";
    const line: BatchInputLine = {
      custom_id: customIdOf({ method: "POST", url, body }, isDeterministic(request)),
      method: "POST",
      url,
      body,
    };
    let state = answers.get(line.custom_id);
    while (!state?.answer) {
      if (state && !shouldRetry(state.errors, options.retry) && dispatch.mode !== "direct") {
        const last = state.errors.at(-1)!;
        throw new ModelCallError(
          `batch request ${line.custom_id} failed ${state.errors.length} time(s), last: ` +
            `${last.status !== undefined ? `status ${last.status}: ` : ""}${last.error?.message ?? "no answer"}`,
          {
            serverMessage: last.error?.message ?? "",
            ...(last.status !== undefined ? { status: last.status } : {}),
            retries: state.errors.length - 1,
          },
        );
      }
      if (dispatch.mode === "direct") return inner.generate(request);
      if (dispatch.mode === "offline") {
        dispatch.add(line);
        throw new BatchPendingError(line.custom_id);
      }
      await dispatch.submit(line);
      state = answers.get(line.custom_id);
    }
    const answer = state.answer;
    const text = JSON.stringify(answer.body);
    const parsed = parseCompletion(
      { body: answer.body, text, retries: 0 },
      {
        kind: chat ? "chat" : "completions",
        url: `batch ${line.custom_id}`,
        logprobs: request.logprobs,
        prefill: chat ? request.prefill : undefined,
      },
    );
    if (request.onText)
      for (const [i, g] of parsed.generations.entries()) request.onText(i, g.text);
    return {
      generations: parsed.generations.slice(0, n),
      usage: parsed.usage ?? { inputTokens: 0, outputTokens: 0 },
      meta: { retries: state.errors.length, latencyMs: performance.now() - started },
    };
  };

  const model: LanguageModel = {
    id: inner.id,
    provider: inner.provider,
    capabilities: inner.capabilities,
    generate,
    close: () => inner.close?.() ?? Promise.resolve(),
  };
  const innerScore = inner.score?.bind(inner);
  if (innerScore)
    (model as { score?: LanguageModel["score"] }).score = (
      request: ScoreRequest,
    ): Promise<ScoreResult> => {
      if (dispatch.mode !== "direct")
        throw new CapabilityError(
          inner.id,
          "score through a batch (it needs echoed prompt logprobs)",
          ["direct calls (no --batch)"],
        );
      return innerScore(request);
    };
  return model;
}
