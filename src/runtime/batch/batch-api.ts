import { ModelCallError } from "../../model/errors.ts";

/** A batch as `/v1/batches` describes it (the fields chorus reads). */
export interface BatchObject {
  id: string;
  status:
    | "validating"
    | "in_progress"
    | "finalizing"
    | "completed"
    | "failed"
    | "expired"
    | "cancelling"
    | "cancelled";
  output_file_id?: string | null;
  error_file_id?: string | null;
  metadata?: Record<string, string> | null;
  errors?: { data?: Array<{ code?: string; message?: string; line?: number }> } | null;
}

/** Statuses after which a batch changes no more. */
export const finishedStatuses = new Set(["completed", "failed", "expired", "cancelled"]);

export interface BatchApiOptions {
  /** The server's URL including `/v1`. */
  baseURL: string;
  apiKey?: string;
  fetch?: typeof fetch;
}

/**
 * The OpenAI Files and Batches endpoints (OpenAI, Azure, vLLM production-stack router, LiteLLM
 * proxy): upload an input file, create, get and list batches, download result files. Every
 * method is one HTTP request; the batcher decides what to retry.
 */
export class BatchApi {
  /** Requests made, for tests and the `0 calls on a finished resume` check. */
  calls = 0;
  readonly #options: BatchApiOptions;

  constructor(options: BatchApiOptions) {
    this.#options = options;
  }

  /** `POST /files` (multipart, purpose=batch); returns the file id. */
  async uploadFile(filename: string, content: string): Promise<string> {
    const form = new FormData();
    form.append("purpose", "batch");
    form.append("file", new Blob([content], { type: "application/jsonl" }), filename);
    const body = (await this.#json("POST", "/files", form)) as { id?: unknown };
    if (typeof body.id !== "string") throw this.#shape("POST /files", "no file id");
    return body.id;
  }

  /** `POST /batches` for a chat (or completions) input file, tagged with `metadata`. */
  async createBatch(
    inputFileId: string,
    endpoint: string,
    metadata: Record<string, string>,
  ): Promise<BatchObject> {
    return (await this.#json("POST", "/batches", {
      input_file_id: inputFileId,
      endpoint,
      completion_window: "24h",
      metadata,
    })) as BatchObject;
  }

  async getBatch(id: string): Promise<BatchObject> {
    return (await this.#json("GET", `/batches/${encodeURIComponent(id)}`)) as BatchObject;
  }

  /** Every batch the server lists (following `after` pages), newest first. */
  async listBatches(): Promise<BatchObject[]> {
    const all: BatchObject[] = [];
    let after: string | undefined;
    for (;;) {
      const page = (await this.#json(
        "GET",
        `/batches?limit=100${after ? `&after=${encodeURIComponent(after)}` : ""}`,
      )) as { data?: BatchObject[]; has_more?: boolean; last_id?: string };
      all.push(...(page.data ?? []));
      if (!page.has_more || !page.data?.length) return all;
      after = page.last_id ?? page.data.at(-1)!.id;
    }
  }

  /** `GET /files/{id}/content` as text. */
  async fileContent(id: string): Promise<string> {
    const response = await this.#send("GET", `/files/${encodeURIComponent(id)}/content`);
    return response.text();
  }

  async #json(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await this.#send(method, path, body);
    const text = await response.text();
    try {
      return JSON.parse(text);
    } catch {
      throw this.#shape(`${method} ${path}`, `not JSON: ${JSON.stringify(text.slice(0, 200))}`);
    }
  }

  async #send(method: string, path: string, body?: unknown): Promise<Response> {
    const url = `${this.#options.baseURL.replace(/\/$/, "")}${path}`;
    const headers: Record<string, string> = {};
    if (this.#options.apiKey) headers.authorization = `Bearer ${this.#options.apiKey}`;
    let payload: FormData | string | undefined;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      headers["content-type"] = "application/json";
      payload = JSON.stringify(body);
    }
    this.calls++;
    let response: Response;
    try {
      response = await (this.#options.fetch ?? fetch)(url, {
        method,
        headers,
        ...(payload !== undefined ? { body: payload } : {}),
      });
    } catch (error) {
      throw new ModelCallError(`${method} ${url} failed: ${(error as Error).message}`, { url });
    }
    if (!response.ok) {
      const text = await response.text();
      throw new ModelCallError(
        `${method} ${url} answered ${response.status}: ${text.slice(0, 300)}`,
        {
          status: response.status,
          serverMessage: text.slice(0, 300),
          url,
        },
      );
    }
    return response;
  }

  #shape(what: string, problem: string): ModelCallError {
    return new ModelCallError(
      `${what} at ${this.#options.baseURL}: unexpected answer (${problem})`,
    );
  }
}
