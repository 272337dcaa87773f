/**
 * A real OpenAI-compatible HTTP server for tests (node:http on 127.0.0.1, a free port). It answers
 * deterministically from the prompt, speaks the response shapes of vLLM, llama.cpp server, Ollama
 * or OpenAI (logprobs, echo, prompt_logprobs, /tokenize), and injects faults on demand.
 *
 * @example
 * const server = await startOpenAITestServer({ flavor: "vllm" });
 * const model = createOpenAIModel({ baseURL: server.url, model: "test-model", flavor: "vllm" });
 * server.setFaults({ status: { code: 429, times: 1, retryAfter: "1" } });
 * // ... assert on server.requests, server.maxInFlight
 * await server.close();
 *
 * The model's behaviour, so tests can compute expected values:
 * - tokens are whitespace-led words (`testTokenize`); a completions prompt is preceded by a BOS
 *   token `<s>` (vLLM and OpenAI flavours), chat messages are templated as `<|role|>content`
 *   followed by `<|assistant|>` unless the last assistant turn is continued;
 * - the reply is " echo" then the prompt's last (up to 6) words reversed, lowercased; with
 *   temperature > 0 (the default is 1, as in the OpenAI API) it starts with
 *   " s<seed + choice index>" instead; a JSON schema gives `{"answer": "<those words>"}`;
 *   `max_tokens` (default 16) cuts it with finish_reason "length", `stop` strings cut it;
 * - vLLM flavour: `min_tokens` m makes a shorter (non-JSON) reply go on with " more1", " more2",
 *   ... up to m tokens, and stop strings count only when they end after the text of the first m
 *   tokens (vLLM's rule); OpenAI answers 400 to the unknown field, llama.cpp and Ollama ignore it;
 * - the logprob of token t at position p is `testTokenLogprob(t, p)`; alternatives at every
 *   position are `alt1..alt20` with logprobs -0.1, -0.4, -0.7, ... (`testAlternatives`);
 * - `stream: true` answers Server-Sent Events, one chunk per token and choices interleaved, in the
 *   flavour's shape: vLLM puts finish_reason on the last token's chunk, the others send an empty
 *   final chunk; usage comes in a last `choices: []` chunk with `stream_options.include_usage`
 *   (OpenAI also sends `usage: null` before it), while llama.cpp always puts it (and `timings`)
 *   in its final chunk; logprobs ride on each token's chunk. Then `data: [DONE]`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/**
 * Response dialect to imitate. Ollama: `owned_by: "library"`, one choice whatever `n` asks, no
 * echo (the field is ignored), no /tokenize, a trailing assistant turn is continued.
 */
export type TestServerFlavor = "vllm" | "llamacpp" | "ollama" | "openai";

/** Faults for the next requests to the generation endpoints (POST under /v1). */
export interface OpenAITestServerFaults {
  /** Answer this status with an OpenAI-style error body, `times` times (default: always). */
  status?: { code: number; times?: number; retryAfter?: string; message?: string };
  /** Never answer (until close), `times` times (default: always). */
  hang?: { times?: number };
  /** Answer 200 with a body that is not JSON, `times` times (default: always). */
  malformed?: { times?: number };
  /** Destroy the socket without answering, `times` times (default: always). */
  reset?: { times?: number };
  /** Wait this long before every answer (overrides the server's `delayMs`). */
  delayMs?: number;
  /**
   * Streams only: after `afterChunks` data events, destroy the socket (or with `clean`, end the
   * response without `[DONE]`), `times` times (default: always). `afterChunks: 0` closes right
   * after the headers.
   */
  cutStream?: { afterChunks: number; times?: number; clean?: boolean };
  /** Streams only: after `afterChunks` data events, send an error event (llama.cpp: `error:`). */
  streamError?: { afterChunks: number; times?: number; message?: string };
  /** Streams only: wait this long before each chunk. */
  streamDelayMs?: number;
}

/** A fault picked per request by `pickFault` (e.g. at random, for soak tests). */
export type PickedFault =
  | { kind: "reset" }
  | { kind: "hang" }
  | { kind: "status"; code: number; retryAfter?: string };

export interface OpenAITestServerOptions {
  /** Default "vllm". */
  flavor?: TestServerFlavor;
  /** Listen on this port (e.g. to restart a closed server where clients expect it); default a free one. */
  port?: number;
  /**
   * Asked before each generation request (after `faults`' reset and hang); a fault it returns is
   * injected, undefined answers normally.
   */
  pickFault?: (request: RecordedRequest) => PickedFault | undefined;
  /** Keep `requests` (default true); a soak of many thousand calls may count instead. */
  recordRequests?: boolean;
  /**
   * How long an idle keep-alive connection stays open (default 10 minutes). Node's own 5 s races
   * the client's reuse of the socket whenever the test process stalls that long (a loaded
   * machine), and the request then meets a reset the test did not inject.
   */
  keepAliveTimeoutMs?: number;
  /** Served model names (default ["test-model"]); other names get a 404 like real servers. */
  models?: string[];
  /** Wait this long before every answer to a POST. */
  delayMs?: number;
  /** llama.cpp flavour: accept `echo` like builds with echo support (no text_offset in the answer). */
  llamacppEcho?: boolean;
  /** llama.cpp flavour: logprobs as probabilities (`prob`, `top_probs`), as with post_sampling_probs. */
  llamacppProbabilities?: boolean;
  /** Start chat content with the continued prefill, as some servers do. */
  echoPrefill?: boolean;
  /** Answer one choice whatever `n` asks, as servers that ignore `n` do. */
  singleChoice?: boolean;
  /** Answer plain JSON even when `stream: true` is asked, as servers without streaming do. */
  ignoreStream?: boolean;
  faults?: OpenAITestServerFaults;
}

/** One request the server received. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  /** Parsed JSON body (undefined for GET or an empty body). */
  // biome-ignore lint/suspicious/noExplicitAny: tests inspect arbitrary request fields
  body: any;
}

export interface OpenAITestServer {
  /** Base URL including `/v1`, for `createOpenAIModel({ baseURL })`. */
  url: string;
  /** Every request received, in arrival order. */
  requests: RecordedRequest[];
  /** Generation requests received (POST under /v1), recorded or not. */
  readonly generationRequests: number;
  /** Requests being handled now, and the most ever at once. */
  readonly inFlight: number;
  readonly maxInFlight: number;
  /** Replace the active faults (pass {} to clear). */
  setFaults(faults: OpenAITestServerFaults): void;
  close(): Promise<void>;
}

const alternativesCount = 20;

/** The server's tokenizer: whitespace-led words. */
export function testTokenize(text: string): string[] {
  return text.match(/\s*\S+|\s+/g) ?? [];
}

/** Deterministic logprob of `token` at position `position` of the evaluated sequence. */
export function testTokenLogprob(token: string, position: number): number {
  return -((fnv1a(`${position}:${token}`) % 400) / 100) - 0.05;
}

/** Alternatives the server offers at every position, most likely first. */
export function testAlternatives(): Array<{ token: string; logprob: number }> {
  return Array.from({ length: alternativesCount }, (_, m) => ({
    token: `alt${m + 1}`,
    logprob: -0.1 - 0.3 * m,
  }));
}

/** Token id of a token string (BOS is 1). */
export function testTokenId(token: string): number {
  return token === "<s>" ? 1 : 3 + (fnv1a(token) % 32000);
}

/** Starts the server on 127.0.0.1 with a free port. */
export async function startOpenAITestServer(
  options: OpenAITestServerOptions = {},
): Promise<OpenAITestServer> {
  const flavor = options.flavor ?? "vllm";
  const models = options.models ?? ["test-model"];
  let faults: OpenAITestServerFaults = options.faults ?? {};
  const faultCounts = new Map<string, number>();
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let inFlight = 0;
  let maxInFlight = 0;
  let generationRequests = 0;

  const takeFault = (
    kind: "status" | "hang" | "malformed" | "reset" | "cutStream" | "streamError",
  ): boolean => {
    const fault = faults[kind];
    if (!fault) return false;
    const used = faultCounts.get(kind) ?? 0;
    if (fault.times !== undefined && used >= fault.times) return false;
    faultCounts.set(kind, used + 1);
    return true;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const text = await readBody(req);
    let body: unknown;
    if (text !== "") {
      try {
        body = JSON.parse(text);
      } catch {
        requests.push({ method: req.method ?? "", path, headers: req.headers, body: text });
        return sendError(res, 400, "request body is not valid JSON");
      }
    }
    const recorded = { method: req.method ?? "", path, headers: req.headers, body };
    if (options.recordRequests !== false) requests.push(recorded);
    // vLLM, SGLang and llama.cpp server answer 200 at /health once they are ready
    if (req.method === "GET" && path === "/health") return sendJson(res, 200, {});
    if (req.method === "GET" && path === "/v1/models") {
      const owner = { vllm: "vllm", llamacpp: "llamacpp", ollama: "library", openai: "openai" }[
        flavor
      ];
      return sendJson(res, 200, {
        object: "list",
        data: models.map((id) => ({ id, object: "model", created: 0, owned_by: owner })),
      });
    }
    if (req.method !== "POST") return sendError(res, 404, `no route ${req.method} ${path}`);
    if (path === "/tokenize" && (flavor === "vllm" || flavor === "llamacpp")) {
      return tokenize(res, body as Json);
    }
    const generation = path === "/v1/chat/completions" || path === "/v1/completions";
    if (!generation) return sendError(res, 404, `File Not Found: ${path}`);

    generationRequests += 1;
    if (takeFault("reset")) return void req.socket.destroy();
    if (takeFault("hang")) return;
    const picked = options.pickFault?.(recorded);
    if (picked?.kind === "reset") return void req.socket.destroy();
    if (picked?.kind === "hang") return;
    if (picked?.kind === "status") {
      if (picked.retryAfter !== undefined) res.setHeader("retry-after", picked.retryAfter);
      return sendError(res, picked.code, `injected HTTP ${picked.code}`);
    }
    const delay = faults.delayMs ?? options.delayMs ?? 0;
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    if (takeFault("status")) {
      const fault = faults.status!;
      if (fault.retryAfter !== undefined) res.setHeader("retry-after", fault.retryAfter);
      return sendError(res, fault.code, fault.message ?? `injected HTTP ${fault.code}`);
    }
    if (takeFault("malformed")) {
      res.writeHead(200, { "content-type": "application/json" });
      return void res.end('{"id": "cmpl-1", "choices": [ <html>oops');
    }
    let request = body as Json;
    if (!models.includes(String(request?.model))) {
      return sendError(res, 404, `The model \`${String(request?.model)}\` does not exist.`);
    }
    if (request.min_tokens !== undefined) {
      // vLLM honours min_tokens; OpenAI rejects unknown fields; llama.cpp and Ollama ignore them
      if (flavor === "openai") {
        return sendError(res, 400, "Unrecognized request argument supplied: min_tokens");
      }
      if (flavor !== "vllm") {
        const { min_tokens: _ignored, ...rest } = request;
        request = rest;
      } else if (
        typeof request.max_tokens === "number" &&
        Number(request.min_tokens) > request.max_tokens
      ) {
        return sendError(
          res,
          400,
          `min_tokens must be less than or equal to max_tokens=${request.max_tokens}, got ${String(request.min_tokens)}.`,
        );
      }
    }
    if (path === "/v1/chat/completions") return chat(res, request);
    return completions(res, request);
  };

  const chat = (res: ServerResponse, request: Json) => {
    const messages = request.messages as Array<{ role: string; content: string }>;
    if (!Array.isArray(messages) || messages.length === 0) {
      return sendError(res, 400, "messages must be a non-empty array");
    }
    const n = options.singleChoice || flavor === "ollama" ? 1 : Number(request.n ?? 1);
    if (flavor === "llamacpp" && n !== 1) {
      return sendError(res, 400, "Only one completion choice is allowed");
    }
    const last = messages[messages.length - 1]!;
    const continues =
      last.role === "assistant" &&
      (flavor === "llamacpp" ||
        flavor === "ollama" ||
        (flavor === "vllm" && request.continue_final_message === true));
    const prompt = template(messages, continues);
    const promptTokens = testTokenize(prompt);
    const k = request.logprobs === true ? Number(request.top_logprobs ?? 0) : undefined;
    if (request.stream === true && !options.ignoreStream) {
      const replies = Array.from({ length: n }, (_, index) =>
        generate(prompt, request, index, promptTokens.length),
      );
      return sendStream(res, request, "chat", promptTokens.length, replies, (reply) => {
        const pieces: StreamPiece[] =
          continues && options.echoPrefill ? [{ text: last.content, logprobs: null }] : [];
        const entries = k === undefined ? undefined : chatLogprobs(reply.positions, k);
        reply.tokens.forEach((token, j) => {
          pieces.push({ text: token, logprobs: entries ? { content: [entries[j]] } : null });
        });
        return pieces;
      });
    }
    let completionTokens = 0;
    const choices = Array.from({ length: n }, (_, index) => {
      const reply = generate(prompt, request, index, promptTokens.length);
      completionTokens += reply.tokens.length;
      const content = continues && options.echoPrefill ? last.content + reply.text : reply.text;
      const choice: Json = {
        index,
        message: { role: "assistant", content },
        finish_reason: reply.finishReason,
        logprobs: null,
      };
      if (k !== undefined) choice.logprobs = { content: chatLogprobs(reply.positions, k) };
      return choice;
    });
    const response: Json = {
      id: "chatcmpl-test",
      object: "chat.completion",
      created: 0,
      model: request.model,
      choices,
      usage: usage(promptTokens.length, completionTokens),
    };
    if (flavor === "vllm" && typeof request.prompt_logprobs === "number") {
      response.prompt_logprobs = promptLogprobs(promptTokens, request.prompt_logprobs);
    }
    sendJson(res, 200, response);
  };

  const completions = (res: ServerResponse, request: Json) => {
    if (typeof request.prompt !== "string") return sendError(res, 400, "prompt must be a string");
    const n = options.singleChoice || flavor === "ollama" ? 1 : Number(request.n ?? 1);
    if (flavor === "llamacpp" && n !== 1) {
      return sendError(res, 400, "Only one completion choice is allowed");
    }
    const echo = request.echo === true && flavor !== "ollama";
    if (echo && flavor === "llamacpp" && !options.llamacppEcho) {
      return sendError(res, 400, "Only no echo is supported");
    }
    const withBos = flavor === "vllm" || flavor === "openai";
    const promptTokens = [...(withBos ? ["<s>"] : []), ...testTokenize(request.prompt)];
    const k = typeof request.logprobs === "number" ? request.logprobs : undefined;
    if (request.stream === true && !options.ignoreStream) {
      const replies = Array.from({ length: n }, (_, index) =>
        generate(request.prompt as string, request, index, promptTokens.length),
      );
      const prompt = request.prompt;
      return sendStream(res, request, "completions", promptTokens.length, replies, (reply) => {
        const prompted: Position[] = echo
          ? promptTokens.map((token, p) => ({
              token,
              logprob: p === 0 ? null : testTokenLogprob(token, p),
            }))
          : [];
        const positions = [...prompted, ...reply.positions];
        const native = flavor === "llamacpp" || flavor === "ollama";
        const all =
          k === undefined
            ? undefined
            : native
              ? chatLogprobs(positions, k, options.llamacppProbabilities)
              : legacyLogprobs(positions, k, echo ? 0 : codePoints(prompt));
        const slice = (from: number, to: number) => {
          if (all === undefined) return null;
          if (Array.isArray(all)) return { content: all.slice(from, to) };
          return {
            tokens: all.tokens.slice(from, to),
            token_logprobs: all.token_logprobs.slice(from, to),
            top_logprobs: all.top_logprobs.slice(from, to),
            text_offset: all.text_offset.slice(from, to),
          };
        };
        const pieces: StreamPiece[] = echo
          ? [{ text: prompt, logprobs: slice(0, prompted.length) }]
          : [];
        reply.tokens.forEach((token, j) => {
          const at = prompted.length + j;
          pieces.push({ text: token, logprobs: slice(at, at + 1) });
        });
        return pieces;
      });
    }
    let completionTokens = 0;
    const choices = Array.from({ length: n }, (_, index) => {
      const reply = generate(request.prompt as string, request, index, promptTokens.length);
      completionTokens += reply.tokens.length;
      const choice: Json = {
        index,
        text: (echo ? request.prompt : "") + reply.text,
        finish_reason: reply.finishReason,
        logprobs: null,
      };
      if (k !== undefined) {
        const prompted: Position[] = echo
          ? promptTokens.map((token, p) => ({
              token,
              logprob: p === 0 ? null : testTokenLogprob(token, p),
            }))
          : [];
        const positions = [...prompted, ...reply.positions];
        choice.logprobs =
          flavor === "llamacpp" || flavor === "ollama"
            ? { content: chatLogprobs(positions, k, options.llamacppProbabilities) }
            : legacyLogprobs(positions, k, echo ? 0 : codePoints(request.prompt as string));
      }
      if (flavor === "vllm" && typeof request.prompt_logprobs === "number") {
        choice.prompt_logprobs = promptLogprobs(promptTokens, request.prompt_logprobs);
      }
      return choice;
    });
    sendJson(res, 200, {
      id: "cmpl-test",
      object: "text_completion",
      created: 0,
      model: request.model,
      choices,
      usage: usage(promptTokens.length, completionTokens),
    });
  };

  /** The answer as Server-Sent Events: one chunk per piece, choices interleaved, then [DONE]. */
  const sendStream = async (
    res: ServerResponse,
    request: Json,
    kind: "chat" | "completions",
    promptTokens: number,
    replies: Reply[],
    piecesOf: (reply: Reply) => StreamPiece[],
  ) => {
    const head =
      kind === "chat"
        ? { id: "chatcmpl-test", object: "chat.completion.chunk", created: 0, model: request.model }
        : { id: "cmpl-test", object: "text_completion", created: 0, model: request.model };
    const includeUsage = (request.stream_options as Json | undefined)?.include_usage === true;
    const chunks: Json[] = [];
    const choice = (index: number, text: string | undefined, logprobs: unknown, reason: unknown) =>
      kind === "chat"
        ? {
            index,
            delta: text === undefined ? {} : { content: text },
            logprobs,
            finish_reason: reason,
          }
        : { index, text: text ?? "", logprobs, finish_reason: reason };
    if (kind === "chat") {
      replies.forEach((_, index) => {
        chunks.push({
          choices: [
            {
              index,
              delta: { role: "assistant", content: "" },
              logprobs: null,
              finish_reason: null,
            },
          ],
        });
      });
    }
    const pieces = replies.map(piecesOf);
    const longest = Math.max(0, ...pieces.map((p) => p.length));
    for (let j = 0; j < longest; j++) {
      pieces.forEach((list, index) => {
        const piece = list[j];
        if (!piece) return;
        const last = j === list.length - 1 && flavor === "vllm";
        chunks.push({
          choices: [
            choice(index, piece.text, piece.logprobs, last ? replies[index]!.finishReason : null),
          ],
        });
      });
    }
    const completionTokens = replies.reduce((sum, r) => sum + r.tokens.length, 0);
    const usageBody = usage(promptTokens, completionTokens);
    replies.forEach((reply, index) => {
      if (flavor === "vllm" && pieces[index]!.length > 0) return;
      const final: Json = { choices: [choice(index, undefined, null, reply.finishReason)] };
      if (flavor === "llamacpp" && index === replies.length - 1) {
        final.usage = usageBody;
        final.timings = { predicted_n: completionTokens };
      }
      chunks.push(final);
    });
    if (includeUsage && flavor !== "llamacpp") chunks.push({ choices: [], usage: usageBody });

    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    res.flushHeaders();
    const cut = takeFault("cutStream") ? faults.cutStream : undefined;
    const error = takeFault("streamError") ? faults.streamError : undefined;
    const pause = faults.streamDelayMs ?? 0;
    for (const [sent, chunk] of chunks.entries()) {
      if (cut && sent >= cut.afterChunks) return cutNow(res, cut.clean);
      if (error && sent >= error.afterChunks) {
        const body = { error: { message: error.message ?? "injected stream error", code: 500 } };
        res.write(
          flavor === "llamacpp"
            ? `error: ${JSON.stringify(body)}\n\n`
            : `data: ${JSON.stringify(body)}\n\n`,
        );
        return void res.end("data: [DONE]\n\n");
      }
      if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
      if (res.destroyed) return;
      const extra =
        flavor === "openai" && includeUsage && !("usage" in chunk) ? { usage: null } : {};
      res.write(`data: ${JSON.stringify({ ...head, ...chunk, ...extra })}\n\n`);
    }
    if (cut && cut.afterChunks >= chunks.length) return cutNow(res, cut.clean);
    res.end("data: [DONE]\n\n");
  };

  const tokenize = (res: ServerResponse, request: Json) => {
    let tokens: string[];
    if (flavor === "vllm") {
      if (Array.isArray(request?.messages)) {
        const messages = request.messages as Array<{ role: string; content: string }>;
        tokens = testTokenize(template(messages, request.continue_final_message === true));
      } else if (typeof request?.prompt === "string") {
        tokens = [
          ...(request.add_special_tokens === false ? [] : ["<s>"]),
          ...testTokenize(request.prompt),
        ];
      } else return sendError(res, 400, "give prompt or messages");
      const ids = tokens.map(testTokenId);
      return sendJson(res, 200, { tokens: ids, count: ids.length, max_model_len: 4096 });
    }
    if (typeof request?.content !== "string") return sendError(res, 400, "content is required");
    tokens = testTokenize(request.content);
    if (request.with_pieces === true) {
      return sendJson(res, 200, {
        tokens: tokens.map((piece) => ({ id: testTokenId(piece), piece })),
      });
    }
    sendJson(res, 200, { tokens: tokens.map(testTokenId) });
  };

  const server = createServer((req, res) => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      inFlight -= 1;
    };
    // "finish" fires before the client can see the answer, so a client that starts its next
    // request on receipt never finds this one still counted; "close" covers dropped requests.
    res.on("finish", finish);
    res.on("close", finish);
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendError(res, 500, `test server bug: ${String(error)}`);
    });
  });
  server.keepAliveTimeout = options.keepAliveTimeoutMs ?? 600_000;
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    get generationRequests() {
      return generationRequests;
    },
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    setFaults(next) {
      faults = next;
      faultCounts.clear();
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}

type Json = Record<string, unknown>;

interface Position {
  token: string;
  logprob: number | null;
}

/** One streamed chunk's text and the logprobs that ride on it. */
interface StreamPiece {
  text: string;
  logprobs: unknown;
}

interface Reply {
  text: string;
  tokens: string[];
  positions: Position[];
  finishReason: "stop" | "length";
}

function template(messages: ReadonlyArray<{ role: string; content: string }>, continues: boolean) {
  return (
    messages.map((m) => `<|${m.role}|>${m.content}`).join("") + (continues ? "" : "<|assistant|>")
  );
}

/** The deterministic reply: see the module comment. */
function generate(prompt: string, request: Json, index: number, offset: number): Reply {
  const words = prompt
    .replace(/<\|[a-z]+\|>/g, " ")
    .split(/\s+/)
    .filter(Boolean)
    .slice(-6)
    .reverse()
    .map((w) => w.toLowerCase());
  const temperature = Number(request.temperature ?? 1);
  const seed = Number(request.seed ?? 0);
  const lead = temperature > 0 ? `s${seed + index}` : "echo";
  const schema =
    (request.response_format as Json | undefined)?.type === "json_schema" ||
    request.json_schema !== undefined;
  let text = schema
    ? JSON.stringify({ answer: words.join(" ") })
    : [lead, ...words].map((w) => ` ${w}`).join("");
  let finishReason: Reply["finishReason"] = "stop";
  // vLLM's min_tokens: EOS is masked until that many tokens exist, so the answer goes on with
  // " more1", " more2", ... (JSON answers are left as they are); stop strings only count when
  // they end after the text of the first min_tokens tokens
  const minTokens = Number(request.min_tokens ?? 0);
  let boundary = 0;
  if (minTokens > 0 && !schema) {
    const natural = testTokenize(text);
    for (let i = 1; natural.length < minTokens; i++) natural.push(` more${i}`);
    text = natural.join("");
    boundary = natural.slice(0, minTokens).join("").length;
  }
  const stops = Array.isArray(request.stop) ? (request.stop as string[]) : [];
  let cut = -1;
  for (const stop of stops) {
    if (stop === "") continue;
    const at = text.indexOf(stop, Math.max(0, boundary - stop.length + 1));
    if (at >= 0 && (cut < 0 || at < cut)) cut = at;
  }
  if (cut >= 0) text = text.slice(0, cut);
  let tokens = testTokenize(text);
  const maxTokens = typeof request.max_tokens === "number" ? request.max_tokens : 16;
  if (tokens.length > maxTokens) {
    tokens = tokens.slice(0, maxTokens);
    text = tokens.join("");
    finishReason = "length";
  }
  const positions = tokens.map((token, j) => ({
    token,
    logprob: testTokenLogprob(token, offset + j),
  }));
  return { text, tokens, positions, finishReason };
}

/** The k most likely candidates at a position: the token itself competes with the alternatives. */
function topK(position: Position, k: number): Array<{ token: string; logprob: number }> {
  const candidates = [...testAlternatives()];
  if (position.logprob !== null)
    candidates.push({ token: position.token, logprob: position.logprob });
  return candidates.sort((a, b) => b.logprob - a.logprob).slice(0, k);
}

function chatLogprobs(positions: readonly Position[], k: number, probabilities = false) {
  return positions.map((p) => {
    const top = topK(p, k);
    if (probabilities) {
      return {
        id: testTokenId(p.token),
        token: p.token,
        bytes: [...Buffer.from(p.token)],
        prob: p.logprob === null ? null : Math.exp(p.logprob),
        top_probs: top.map((t) => ({
          id: testTokenId(t.token),
          token: t.token,
          prob: Math.exp(t.logprob),
        })),
      };
    }
    return {
      token: p.token,
      logprob: p.logprob,
      bytes: [...Buffer.from(p.token)],
      top_logprobs: top.map((t) => ({
        token: t.token,
        logprob: t.logprob,
        bytes: [...Buffer.from(t.token)],
      })),
    };
  });
}

/** vLLM/OpenAI legacy shape; vLLM's top_logprobs holds the chosen token plus the top k. */
function legacyLogprobs(positions: readonly Position[], k: number, startOffset: number) {
  let offset = startOffset;
  const textOffset: number[] = [];
  for (const p of positions) {
    textOffset.push(offset);
    // Like vLLM, the BOS token's text "<s>" counts into the offsets although the text omits it.
    offset += codePoints(p.token);
  }
  return {
    tokens: positions.map((p) => p.token),
    token_logprobs: positions.map((p) => p.logprob),
    top_logprobs: positions.map((p) => {
      if (p.logprob === null) return null;
      const entries = Object.fromEntries(topK(p, k).map((t) => [t.token, t.logprob]));
      entries[p.token] = p.logprob;
      return entries;
    }),
    text_offset: textOffset,
  };
}

/** vLLM prompt_logprobs: null for the first token, then {id: {logprob, rank, decoded_token}}. */
function promptLogprobs(tokens: readonly string[], k: number) {
  return tokens.map((token, p) => {
    if (p === 0) return null;
    const own = { token, logprob: testTokenLogprob(token, p) };
    const ranked = [...testAlternatives(), own].sort((a, b) => b.logprob - a.logprob);
    const entry: Record<string, { logprob: number; rank: number; decoded_token: string }> = {};
    ranked.forEach((t, i) => {
      if (i < k || t === own) {
        entry[String(testTokenId(t.token))] = {
          logprob: t.logprob,
          rank: i + 1,
          decoded_token: t.token,
        };
      }
    });
    return entry;
  });
}

function usage(prompt: number, completion: number) {
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
  };
}

/** Ends a stream early: cleanly, or by destroying the socket once what was written has left. */
async function cutNow(res: ServerResponse, clean: boolean | undefined): Promise<void> {
  if (clean) return void res.end();
  await new Promise((resolve) => setTimeout(resolve, 20));
  res.socket?.destroy();
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, { error: { code: status, message, type: "invalid_request_error" } });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function codePoints(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
