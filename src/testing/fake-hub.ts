import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A stand-in for the Hugging Face hub on 127.0.0.1, for download tests. As huggingface.co does,
 * a hub path `…/resolve/<rev>/<file>` answers 302 with X-Linked-Etag (sha256) and X-Linked-Size,
 * redirecting to a second "CDN" server that serves the bytes with Range support and can drop
 * the connection part-way.
 */
export interface FakeHubOptions {
  /** The file a hub path names and the CDN path it redirects to; undefined answers 404. */
  file(path: string): { bytes: Buffer; blobPath: string } | undefined;
  /** The bytes at a CDN path; undefined answers 404. */
  blob(path: string): Buffer | undefined;
  /** Whether to refuse a hub request with 401 (a gated repository asked without a token). */
  refuse?(path: string, req: IncomingMessage): boolean;
}

/** What the next responses do; tests replace it. */
export interface FakeHubBehaviour {
  /** Close the socket after this many body bytes, for the next `cuts` CDN responses. */
  cutAfter?: number;
  cuts?: number;
  /** Serve the whole file even when a Range is asked (a server without resume). */
  ignoreRange?: boolean;
  /** Announce this sha256 instead of the file's. */
  linkedEtag?: string;
}

export interface HubRequest {
  server: "hub" | "cdn";
  url: string;
  range?: string;
  auth?: string;
}

export interface FakeHub {
  hubUrl: string;
  cdnUrl: string;
  requests: HubRequest[];
  behaviour: FakeHubBehaviour;
  close(): void;
}

export async function startFakeHub(options: FakeHubOptions): Promise<FakeHub> {
  const requests: HubRequest[] = [];
  const record = (server: HubRequest["server"], req: IncomingMessage) =>
    requests.push({
      server,
      url: req.url ?? "",
      ...(req.headers.range ? { range: req.headers.range } : {}),
      ...(req.headers.authorization ? { auth: req.headers.authorization } : {}),
    });
  const state: FakeHub = { hubUrl: "", cdnUrl: "", requests, behaviour: {}, close: () => {} };
  const notFound = (res: ServerResponse) =>
    res.writeHead(404, { "content-type": "text/plain" }).end("Entry not found");

  const cdn = createServer((req, res) => {
    record("cdn", req);
    const bytes = options.blob(req.url ?? "");
    if (!bytes) {
      notFound(res);
      return;
    }
    const behaviour = state.behaviour;
    const match = behaviour.ignoreRange ? null : /^bytes=(\d+)-$/.exec(req.headers.range ?? "");
    const start = match ? Number(match[1]) : 0;
    if (match && start >= bytes.length) {
      res.writeHead(416, { "content-range": `bytes */${bytes.length}` }).end();
      return;
    }
    if (match)
      res.writeHead(206, {
        "content-range": `bytes ${start}-${bytes.length - 1}/${bytes.length}`,
        "content-length": bytes.length - start,
      });
    else res.writeHead(200, { "content-length": bytes.length });
    const body = bytes.subarray(start);
    if (behaviour.cutAfter !== undefined && (behaviour.cuts ?? 0) > 0) {
      behaviour.cuts = (behaviour.cuts ?? 0) - 1;
      // drop the connection a moment after the bytes are out, so the client has read them
      res.write(body.subarray(0, behaviour.cutAfter), () =>
        setTimeout(() => res.socket?.destroy(), 100),
      );
      return;
    }
    res.end(body);
  });
  const hub = createServer((req, res) => {
    record("hub", req);
    const path = req.url ?? "";
    if (options.refuse?.(path, req)) {
      res.writeHead(401, { "content-type": "text/plain" }).end("Access to this repo is restricted");
      return;
    }
    const file = options.file(path);
    if (!file) {
      notFound(res);
      return;
    }
    res
      .writeHead(302, {
        location: `${state.cdnUrl}${file.blobPath}`,
        "x-linked-etag": `"${state.behaviour.linkedEtag ?? sha256(file.bytes)}"`,
        "x-linked-size": String(file.bytes.length),
      })
      .end();
  });
  state.cdnUrl = await listen(cdn);
  state.hubUrl = await listen(hub);
  state.close = () => {
    hub.close();
    cdn.close();
  };
  return state;
}

/** A loopback URL nothing listens on: connecting to it is refused. */
export async function refusedUrl(): Promise<string> {
  const closed = createServer();
  const url = await listen(closed);
  await new Promise((done) => closed.close(done));
  return url;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function sha256(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}
