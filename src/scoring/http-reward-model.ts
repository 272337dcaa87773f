import { ModelCallError } from "../model/errors.ts";
import { canonicalHash } from "../runtime/canonical-json.ts";
import type { OutcomeInput, OutcomeRewardModel } from "./reward-model.ts";

/** A get/set store for results (the runtime's CallCache fits). */
export interface RewardCache {
  get<T>(key: string): T | undefined;
  set(key: string, call: { kind: string; provider: string; modelId: string }, value: unknown): void;
}

/** Options for `HttpRewardModel`. */
export interface HttpRewardModelOptions {
  /** Server base URL, e.g. `http://127.0.0.1:8000` (a trailing `/v1` is fine). */
  baseURL: string;
  model: string;
  /**
   * "classify": vLLM `/classify` → `data[i].probs`, the score is `probs[positiveIndex]`.
   * "pooling": vLLM `/pooling` → `data[i].data`, the last number is a raw reward.
   */
  endpoint?: "classify" | "pooling";
  /** Class index of "correct" for classify (default: the last class). */
  positiveIndex?: number;
  /** Raw reward → [0, 1]: "sigmoid" (default for pooling, as the internlm2 ORM in MAgICoRe) or "none". */
  transform?: "sigmoid" | "none";
  /** Text sent per solution (default: question, blank line, solution). */
  format?: (input: OutcomeInput) => string;
  /** Inputs per request (default 32). */
  batchSize?: number;
  apiKey?: string;
  timeoutMs?: number;
  cache?: RewardCache;
}

/**
 * An outcome reward model served over HTTP by an OpenAI-compatible server's classification or
 * pooling endpoint (vLLM `/classify`, `/pooling`). Batched; results cached per text when a cache
 * is given (reward models are deterministic).
 */
export class HttpRewardModel implements OutcomeRewardModel {
  readonly name: string;
  readonly #options: HttpRewardModelOptions;
  readonly #url: string;

  constructor(options: HttpRewardModelOptions) {
    this.#options = options;
    const endpoint = options.endpoint ?? "pooling";
    const base = options.baseURL.replace(/\/+$/, "").replace(/\/v1$/, "");
    this.#url = `${base}/${endpoint}`;
    this.name = `http:${options.model}`;
  }

  async scoreOutcomes(inputs: readonly OutcomeInput[], options: { signal?: AbortSignal } = {}) {
    const format = this.#options.format ?? ((i: OutcomeInput) => `${i.question}\n\n${i.solution}`);
    const texts = inputs.map(format);
    const scores = new Array<number>(texts.length);
    const keys = texts.map((text) =>
      canonicalHash({ url: this.#url, model: this.#options.model, text, o: this.#settings() }),
    );
    const missing: number[] = [];
    texts.forEach((_, i) => {
      const hit = this.#options.cache?.get<number>(keys[i]!);
      if (hit === undefined) missing.push(i);
      else scores[i] = hit;
    });
    const batchSize = this.#options.batchSize ?? 32;
    for (let at = 0; at < missing.length; at += batchSize) {
      const batch = missing.slice(at, at + batchSize);
      const values = await this.#request(
        batch.map((i) => texts[i]!),
        options.signal,
      );
      batch.forEach((i, j) => {
        scores[i] = values[j]!;
        this.#options.cache?.set(
          keys[i]!,
          { kind: "reward", provider: "http", modelId: `${this.#url}#${this.#options.model}` },
          values[j],
        );
      });
    }
    return scores;
  }

  #settings() {
    const o = this.#options;
    return { endpoint: o.endpoint ?? "pooling", p: o.positiveIndex ?? -1, t: o.transform ?? "" };
  }

  async #request(input: string[], signal?: AbortSignal): Promise<number[]> {
    const o = this.#options;
    const timeout = AbortSignal.timeout(o.timeoutMs ?? 60_000);
    let response: Response;
    try {
      response = await fetch(this.#url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(o.apiKey ? { authorization: `Bearer ${o.apiKey}` } : {}),
        },
        body: JSON.stringify({ model: o.model, input }),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (error) {
      throw new ModelCallError(
        `reward endpoint ${this.#url} unreachable: ${(error as Error).message}`,
        {
          url: this.#url,
        },
      );
    }
    const text = await response.text();
    if (!response.ok)
      throw new ModelCallError(`reward endpoint ${this.#url} answered HTTP ${response.status}`, {
        status: response.status,
        serverMessage: text.slice(0, 500),
        url: this.#url,
      });
    let body: { data?: Array<{ index?: number; probs?: number[]; data?: unknown }> };
    try {
      body = JSON.parse(text);
    } catch {
      throw new ModelCallError(`reward endpoint ${this.#url} did not answer JSON`, {
        url: this.#url,
      });
    }
    const data = body.data;
    if (!Array.isArray(data) || data.length !== input.length)
      throw new ModelCallError(
        `reward endpoint ${this.#url}: expected "data" with ${input.length} entries`,
        { url: this.#url, serverMessage: text.slice(0, 500) },
      );
    const ordered = [...data].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
    return ordered.map((entry) => {
      if ((o.endpoint ?? "pooling") === "classify") {
        const probs = entry.probs;
        if (!Array.isArray(probs) || probs.length === 0)
          throw new ModelCallError(`reward endpoint ${this.#url}: an entry has no "probs"`, {
            url: this.#url,
          });
        const p = probs[o.positiveIndex ?? probs.length - 1];
        return o.transform === "sigmoid" ? sigmoid(p ?? 0) : (p ?? 0);
      }
      const raw = lastNumber(entry.data);
      if (raw === undefined)
        throw new ModelCallError(`reward endpoint ${this.#url}: an entry has no numeric "data"`, {
          url: this.#url,
        });
      return (o.transform ?? "sigmoid") === "sigmoid" ? sigmoid(raw) : raw;
    });
  }
}

function lastNumber(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (Array.isArray(value)) return lastNumber(value.at(-1));
  return undefined;
}

/** The logistic function. */
export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}
