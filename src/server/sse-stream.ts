import type { ServerResponse } from "node:http";
import { toHttpError } from "./http-error.ts";

/** Server-sent events as OpenAI streams them: `data: <json>` lines, ended by `data: [DONE]`. */
export class SseStream {
  constructor(private readonly response: ServerResponse) {
    response.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      connection: "keep-alive",
    });
    response.flushHeaders();
  }

  send(event: unknown): void {
    if (!this.response.writableEnded) this.response.write(`data: ${JSON.stringify(event)}\n\n`);
  }

  /** An SSE comment line, which clients skip: keeps proxies and idle timeouts from closing. */
  keepAlive(): void {
    if (!this.response.writableEnded) this.response.write(": keep-alive\n\n");
  }

  /** An error after the stream started: an `error` event (as OpenAI sends one), then the end. */
  fail(error: unknown): void {
    this.send(toHttpError(error).body());
    this.end();
  }

  end(): void {
    if (this.response.writableEnded) return;
    this.response.write("data: [DONE]\n\n");
    this.response.end();
  }
}
