import { ConfigError, ModelCallError } from "../../model/errors.ts";
import { mapLimit } from "../map-limit.ts";
import type { SupportJudge, SupportQuery, SupportVerdict } from "./support-judge.ts";

/** Options of `HttpNliJudge`. */
export interface HttpNliJudgeOptions {
  /** Endpoint URL, e.g. a text-embeddings-inference `/predict` or an HF inference endpoint. */
  url: string;
  /**
   * Request body shape: "tei" sends `{"inputs": [premise, hypothesis]}` (text-embeddings-inference
   * sequence classification); "hf" sends `{"inputs": {"text": premise, "text_pair": hypothesis}}`
   * (Hugging Face inference endpoints). Both answer with `{label, score}` lists.
   */
  format?: "tei" | "hf";
  /** The label meaning "supported" (default "entailment", case-insensitive). */
  entailmentLabel?: string;
  headers?: Record<string, string>;
  /** Calls in flight at once (default 4). */
  concurrency?: number;
  /** Milliseconds per request (default 60000). */
  timeoutMs?: number;
}

/**
 * An NLI model behind an HTTP endpoint as a support judge: P(supported) is the entailment
 * label's score with the source as premise and the sentence as hypothesis.
 * @example new FaithfulnessScorer(new HttpNliJudge({ url: "http://127.0.0.1:8080/predict" }))
 */
export class HttpNliJudge implements SupportJudge {
  readonly name: string;
  readonly #options: HttpNliJudgeOptions;

  constructor(options: HttpNliJudgeOptions) {
    try {
      new URL(options.url);
    } catch {
      throw new ConfigError(
        `NLI endpoint "${options.url}" is not a URL; give http(s)://host/path`,
        "url",
      );
    }
    this.#options = options;
    this.name = `nli:${options.url}`;
  }

  judge(
    queries: readonly SupportQuery[],
    options: { signal?: AbortSignal } = {},
  ): Promise<SupportVerdict[]> {
    const { url, format = "tei", headers = {}, timeoutMs = 60_000 } = this.#options;
    const wanted = (this.#options.entailmentLabel ?? "entailment").toLowerCase();
    return mapLimit(queries, this.#options.concurrency ?? 4, async ({ source, sentence }) => {
      const body =
        format === "hf"
          ? { inputs: { text: source, text_pair: sentence } }
          : { inputs: [source, sentence] };
      const signals = [AbortSignal.timeout(timeoutMs), ...(options.signal ? [options.signal] : [])];
      let response: Response;
      try {
        response = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          body: JSON.stringify(body),
          signal: AbortSignal.any(signals),
        });
      } catch (error) {
        throw new ModelCallError(`NLI endpoint ${url} unreachable: ${(error as Error).message}`, {
          url,
        });
      }
      const text = await response.text();
      if (!response.ok)
        throw new ModelCallError(`NLI endpoint ${url} answered ${response.status}`, {
          status: response.status,
          serverMessage: text.slice(0, 500),
          url,
        });
      const labels = labelScores(text);
      const hit = labels?.find((l) => l.label.toLowerCase() === wanted);
      if (!hit)
        throw new ModelCallError(
          `NLI endpoint ${url} gave no "${wanted}" label score; set entailmentLabel to one of: ${
            labels?.map((l) => l.label).join(", ") ?? "(no {label, score} list in the answer)"
          }`,
          { url, serverMessage: text.slice(0, 500) },
        );
      return { probability: hit.score, basis: "nli" };
    });
  }
}

/** The `{label, score}` list of an answer, unwrapping one level of batch nesting. */
function labelScores(text: string): Array<{ label: string; score: number }> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (Array.isArray(value) && Array.isArray(value[0])) value = value[0];
  if (!Array.isArray(value)) return undefined;
  const list = value.filter(
    (v): v is { label: string; score: number } =>
      typeof v === "object" &&
      v !== null &&
      typeof v.label === "string" &&
      typeof v.score === "number",
  );
  return list.length > 0 ? list : undefined;
}
