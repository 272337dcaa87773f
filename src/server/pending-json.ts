import type { ServerResponse } from "node:http";
import { toHttpError } from "./http-error.ts";
import { sendJson } from "./request-context.ts";

/**
 * A JSON answer that may take minutes (a method's many internal calls). Until `intervalMs` passes
 * nothing is sent, so a quick failure still gets its own status; after that, the 200 header goes
 * out and a space every interval (JSON allows leading whitespace), so idle timeouts of clients
 * and proxies do not close the connection. A failure after that point is an OpenAI error body
 * under the 200 already sent.
 */
export class PendingJson {
  #started = false;
  readonly #timer: NodeJS.Timeout;

  constructor(
    private readonly response: ServerResponse,
    intervalMs: number,
  ) {
    this.#timer = setInterval(() => {
      if (response.writableEnded) return;
      if (!this.#started) {
        response.writeHead(200, { "content-type": "application/json; charset=utf-8" });
        this.#started = true;
      }
      response.write(" ");
    }, intervalMs);
  }

  send(body: unknown): void {
    clearInterval(this.#timer);
    if (!this.#started) sendJson(this.response, 200, body);
    else this.response.end(JSON.stringify(body));
  }

  /** Rethrows while the status can still be chosen; afterwards ends with the error body. */
  fail(error: unknown): void {
    clearInterval(this.#timer);
    if (!this.#started) throw error;
    this.response.end(JSON.stringify(toHttpError(error).body()));
  }
}
