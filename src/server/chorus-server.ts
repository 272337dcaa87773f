import { randomUUID, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { LanguageModel } from "../model/language-model.ts";
import { chatCompletions } from "./chat-completions.ts";
import { completions } from "./completions.ts";
import { HttpError, toHttpError } from "./http-error.ts";
import { type ServedModels, staticModels } from "./model-source.ts";
import { readJsonBody } from "./read-json-body.ts";
import { type RequestContext, sendJson, servedNames } from "./request-context.ts";
import type { ServedMethods } from "./served-methods.ts";
import { tokenize } from "./tokenize.ts";

export interface ChorusServerOptions {
  /** The models to serve: a pool (`ModelPool`) or loaded models by name. */
  models:
    | ServedModels
    | ReadonlyMap<string, LanguageModel>
    | Readonly<Record<string, LanguageModel>>;
  /** Require `Authorization: Bearer <apiKey>` on every /v1 request. */
  apiKey?: string;
  /** Largest request body in bytes (default 1 MiB); larger ones get 413. */
  maxBodyBytes?: number;
  /**
   * Methods served beside each model as virtual models `<method>:<model>` (`loadServedMethods`):
   * a chat in, the method's final answer out.
   */
  methods?: ServedMethods;
  /** How often a long answer (a method's) sends keep-alive bytes; default 10 s. */
  keepAliveMs?: number;
  /** One line per request (method, path, status, ms); default none. */
  log?: (line: string) => void;
}

export interface ChorusServer {
  readonly server: Server;
  /** Starts listening (default 127.0.0.1, port 0 = any free port); returns the `/v1` base URL. */
  listen(port?: number, host?: string): Promise<string>;
  /** Stops accepting connections and ends open ones. */
  close(): Promise<void>;
}

type Route = (context: RequestContext, request: IncomingMessage) => Promise<void>;

function isServedModels(value: ChorusServerOptions["models"]): value is ServedModels {
  return (
    typeof (value as ServedModels).names === "function" &&
    typeof (value as ServedModels).use === "function"
  );
}

/**
 * An OpenAI-compatible HTTP server (node:http only) over any chorus models:
 * `GET /v1/models`, `GET /v1/models/{id}`, `POST /v1/chat/completions`, `POST /v1/completions`
 * (streaming with SSE, n, logprobs, echo), and `GET /health`. Errors are OpenAI-shaped JSON:
 * 400 bad JSON or fields, 401 bad key, 404 unknown model or route, 405, 413 too large.
 */
export function createChorusServer(options: ChorusServerOptions): ChorusServer {
  const models = isServedModels(options.models) ? options.models : staticModels(options.models);
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const started = Math.floor(Date.now() / 1000);
  const expectedKey = options.apiKey ? Buffer.from(`Bearer ${options.apiKey}`) : undefined;

  const postJson =
    (handler: (context: RequestContext, body: Record<string, unknown>) => Promise<void>): Route =>
    async (context, request) =>
      handler(context, await readJsonBody(request, maxBodyBytes));

  const listModels: Route = async (context) => {
    sendJson(context.response, 200, {
      object: "list",
      data: servedNames({ models, ...(options.methods ? { methods: options.methods } : {}) }).map(
        (id) => ({ id, object: "model", created: started, owned_by: "chorus" }),
      ),
    });
  };

  const routes: Record<string, Partial<Record<string, Route>>> = {
    "/v1/models": { GET: listModels },
    "/v1/chat/completions": { POST: postJson(chatCompletions) },
    "/v1/completions": { POST: postJson(completions) },
    // vLLM serves it at the root; chorus's OpenAI engine scores with it
    "/tokenize": { POST: postJson(tokenize) },
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const abort = new AbortController();
    response.on("close", () => {
      if (!response.writableFinished) abort.abort(new Error("the client closed the connection"));
    });
    const context: RequestContext = {
      response,
      models,
      ...(options.methods ? { methods: options.methods } : {}),
      keepAliveMs: options.keepAliveMs ?? 10_000,
      signal: abort.signal,
      id: randomUUID().replaceAll("-", "").slice(0, 24),
      created: Math.floor(Date.now() / 1000),
    };
    const path = requestPath(request.url);
    if (path === "/health" && request.method === "GET") {
      sendJson(response, 200, { status: "ok" });
      return;
    }
    if (expectedKey) {
      const given = Buffer.from(request.headers.authorization ?? "");
      if (given.length !== expectedKey.length || !timingSafeEqual(given, expectedKey)) {
        throw new HttpError(
          401,
          "invalid or missing API key; send the server's key as 'Authorization: Bearer <key>'",
          "authentication_error",
          null,
          "invalid_api_key",
        );
      }
    }
    const modelMatch = /^\/v1\/models\/(.+)$/.exec(path);
    if (modelMatch && request.method === "GET") {
      const id = decodePathPart(modelMatch[1]!);
      if (!servedNames(context).includes(id)) {
        throw new HttpError(
          404,
          `model "${id}" does not exist on this server`,
          "invalid_request_error",
          "model",
          "model_not_found",
        );
      }
      sendJson(response, 200, { id, object: "model", created: started, owned_by: "chorus" });
      return;
    }
    const methods = routes[path];
    if (!methods) {
      throw new HttpError(
        404,
        `no route ${request.method} ${path}; chorus serve has GET /v1/models, POST /v1/chat/completions, POST /v1/completions, POST /tokenize`,
        "invalid_request_error",
        null,
        "not_found",
      );
    }
    const route = methods[request.method ?? ""];
    if (!route) {
      response.setHeader("allow", Object.keys(methods).join(", "));
      throw new HttpError(
        405,
        `${path} accepts ${Object.keys(methods).join(", ")}, not ${request.method}`,
      );
    }
    await route(context, request);
  };

  const server = createServer((request, response) => {
    const start = Date.now();
    handle(request, response)
      .catch((error: unknown) => {
        const httpError = toHttpError(error);
        if (response.headersSent) {
          response.end();
          return;
        }
        if (httpError.status === 413) response.setHeader("connection", "close");
        sendJson(response, httpError.status, httpError.body());
      })
      .finally(() => {
        options.log?.(
          `${request.method} ${request.url} ${response.statusCode} ${Date.now() - start}ms`,
        );
      });
  });

  return {
    server,
    listen(port = 0, host = "127.0.0.1") {
      return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          const address = server.address() as AddressInfo;
          const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
          resolve(`http://${shownHost}:${address.port}/v1`);
        });
      });
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** The request's path without trailing slashes; a target no URL parser accepts is a 400. */
function requestPath(target: string | undefined): string {
  try {
    return new URL(target ?? "/", "http://localhost").pathname.replace(/\/+$/, "") || "/";
  } catch {
    throw new HttpError(400, `request target ${JSON.stringify(target)} is not a valid path`);
  }
}

/** A percent-decoded path segment; malformed escapes (e.g. "%E0%A4%A") are a 400, not a 500. */
function decodePathPart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new HttpError(400, `malformed percent-escape in path segment "${part}"`);
  }
}
