/**
 * A fake OpenAI Batch API for tests (node:http on 127.0.0.1): `/v1/files` (multipart upload,
 * `/content`), `/v1/batches` (create, get, list, cancel). Each batch finishes `finishMs` after
 * its creation with its output lines shuffled; requests whose custom_id hashes into
 * `expiredPercent` come back as `batch_expired` errors on their first attempt only, and those
 * in `badPercent` are 400s in the error file every time. Answers are chat completions whose
 * content is derived from the last message, so results are deterministic.
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type BatchServerEvent = "upload" | "create" | "content" | "list" | "get";

export interface BatchTestServerOptions {
  finishMs?: number;
  expiredPercent?: number;
  badPercent?: number;
  /** A create with more lines than this is refused (OpenAI's cap is 50,000). */
  maxLines?: number;
  /** Called when a request arrives, after the server acted on it and before it answers. */
  onEvent?: (event: BatchServerEvent) => void;
}

interface StoredBatch {
  id: string;
  created: number;
  metadata: Record<string, string>;
  lines: Array<{ custom_id: string; body: { messages?: Array<{ content: string }> } }>;
  status: string;
  output_file_id?: string;
  error_file_id?: string;
}

export interface BatchTestServer {
  url: string;
  /** Every request, as "METHOD path". */
  requests: string[];
  batches: StoredBatch[];
  /** Lines per custom_id submitted so far (its attempts). */
  attempts: Map<string, number>;
  close(): Promise<void>;
}

function percentile(id: string, salt: string): number {
  return createHash("sha256").update(`${salt}:${id}`).digest().readUInt32BE(0) % 1000;
}

export async function startBatchTestServer(
  options: BatchTestServerOptions = {},
): Promise<BatchTestServer> {
  const files = new Map<string, string>();
  const batches: StoredBatch[] = [];
  const attempts = new Map<string, number>();
  const requests: string[] = [];
  let nextId = 1;
  const finish = (b: StoredBatch) => {
    if (b.status !== "in_progress" || Date.now() - b.created < (options.finishMs ?? 300)) return;
    const ok: string[] = [];
    const errors: string[] = [];
    for (const line of b.lines) {
      const attempt = attempts.get(line.custom_id) ?? 1;
      const id = `batch_req_${nextId++}`;
      if (percentile(line.custom_id, "bad") < (options.badPercent ?? 0) * 10)
        errors.push(
          JSON.stringify({
            id,
            custom_id: line.custom_id,
            response: {
              status_code: 400,
              request_id: id,
              body: {
                error: {
                  message: "Invalid prompt: refused by the test server",
                  type: "invalid_request_error",
                },
              },
            },
            error: null,
          }),
        );
      else if (
        attempt === 1 &&
        percentile(line.custom_id, "expired") < (options.expiredPercent ?? 0) * 10
      )
        errors.push(
          JSON.stringify({
            id,
            custom_id: line.custom_id,
            response: null,
            error: {
              code: "batch_expired",
              message: "This request could not be executed before the completion window expired.",
            },
          }),
        );
      else {
        const last = line.body.messages?.at(-1)?.content ?? "";
        const content = `answer ${createHash("sha256").update(last).digest("hex").slice(0, 8)} \\boxed{${last.length % 10}}`;
        ok.push(
          JSON.stringify({
            id,
            custom_id: line.custom_id,
            response: {
              status_code: 200,
              request_id: id,
              body: {
                id: `chatcmpl-${id}`,
                object: "chat.completion",
                choices: [
                  { index: 0, message: { role: "assistant", content }, finish_reason: "stop" },
                ],
                usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
              },
            },
            error: null,
          }),
        );
      }
    }
    ok.sort(() => Math.random() - 0.5);
    const outId = `file-${nextId++}`;
    files.set(outId, ok.map((l) => `${l}\n`).join(""));
    b.output_file_id = outId;
    if (errors.length > 0) {
      const errId = `file-${nextId++}`;
      files.set(errId, errors.map((l) => `${l}\n`).join(""));
      b.error_file_id = errId;
    }
    b.status = "completed";
  };
  const view = (b: StoredBatch) => {
    finish(b);
    return {
      id: b.id,
      object: "batch",
      status: b.status,
      metadata: b.metadata,
      output_file_id: b.output_file_id ?? null,
      error_file_id: b.error_file_id ?? null,
      request_counts: { total: b.lines.length },
    };
  };
  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const handle = async (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const path = (req.url ?? "").split("?")[0]!;
    requests.push(`${req.method} ${path}`);
    if (req.method === "POST" && path === "/v1/files") {
      const form = await new Response(body, {
        headers: { "content-type": String(req.headers["content-type"]) },
      }).formData();
      const file = form.get("file") as Blob & { name: string };
      const id = `file-${nextId++}`;
      files.set(id, await file.text());
      options.onEvent?.("upload");
      return send(res, 200, {
        id,
        object: "file",
        filename: file.name,
        purpose: form.get("purpose"),
      });
    }
    const content = /^\/v1\/files\/([^/]+)\/content$/.exec(path);
    if (req.method === "GET" && content) {
      const text = files.get(decodeURIComponent(content[1]!));
      if (text === undefined) return send(res, 404, { error: { message: "no such file" } });
      options.onEvent?.("content");
      res.writeHead(200, { "content-type": "application/jsonl" });
      return res.end(text);
    }
    if (req.method === "POST" && path === "/v1/batches") {
      const request = JSON.parse(body.toString("utf8")) as {
        input_file_id: string;
        metadata?: Record<string, string>;
      };
      const text = files.get(request.input_file_id);
      if (text === undefined) return send(res, 404, { error: { message: "no such file" } });
      const lines = text
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map((l) => JSON.parse(l) as StoredBatch["lines"][number]);
      if (lines.length > (options.maxLines ?? 50_000))
        return send(res, 400, { error: { message: "too many requests in one batch" } });
      for (const l of lines) attempts.set(l.custom_id, (attempts.get(l.custom_id) ?? 0) + 1);
      const batch: StoredBatch = {
        id: `batch_${nextId++}`,
        created: Date.now(),
        metadata: request.metadata ?? {},
        lines,
        status: "in_progress",
      };
      batches.push(batch);
      options.onEvent?.("create");
      return send(res, 200, view(batch));
    }
    if (req.method === "GET" && path === "/v1/batches") {
      options.onEvent?.("list");
      return send(res, 200, {
        object: "list",
        data: [...batches].reverse().map(view),
        has_more: false,
      });
    }
    const one = /^\/v1\/batches\/([^/]+)(\/cancel)?$/.exec(path);
    const batch = one ? batches.find((b) => b.id === decodeURIComponent(one[1]!)) : undefined;
    if (one && batch) {
      if (one[2] && req.method === "POST") batch.status = "cancelled";
      options.onEvent?.("get");
      return send(res, 200, view(batch));
    }
    send(res, 404, { error: { message: `no route ${req.method} ${path}` } });
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      handle(req, res, Buffer.concat(chunks)).catch((error: Error) =>
        send(res, 500, { error: { message: error.message } }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    batches,
    attempts,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
