import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, beforeEach, test } from "node:test";
import { writeRandomModel } from "../gguf/random-model.ts";
import { DataError, ModelCallError, UsageError } from "../model/errors.ts";
import { downloadFile } from "./download-file.ts";
import { listCachedModels } from "./model-cache.ts";
import { resolveModelFile } from "./resolve-model-file.ts";

/**
 * A real hub stand-in on 127.0.0.1: `/<owner>/<repo>/resolve/<rev>/<file>` redirects (302, with
 * X-Linked-Etag = sha256 and X-Linked-Size, as huggingface.co does) to a second "CDN" server that
 * serves the bytes with Range support and can drop the connection part-way.
 */
interface Behaviour {
  /** Close the socket after this many body bytes, for the next `cuts` responses. */
  cutAfter?: number;
  cuts?: number;
  ignoreRange?: boolean;
  linkedEtag?: string;
}

let dir: string;
let model: Buffer;
let modelSha: string;
let hub: Server;
let cdn: Server;
let behaviour: Behaviour = {};
const requests: Array<{ server: string; url: string; range?: string; auth?: string }> = [];

function record(server: string, req: IncomingMessage): void {
  requests.push({
    server,
    url: req.url ?? "",
    ...(req.headers.range ? { range: req.headers.range } : {}),
    ...(req.headers.authorization ? { auth: req.headers.authorization } : {}),
  });
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

let cdnUrl: string;
let hubUrl: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "chorus-model-files-"));
  const source = join(dir, "source.gguf");
  await writeRandomModel(source, { preset: "tiny", seed: 11 });
  model = await readFile(source);
  modelSha = createHash("sha256").update(model).digest("hex");
  cdn = createServer((req, res) => {
    record("cdn", req);
    const match = /^bytes=(\d+)-$/.exec(req.headers.range ?? "");
    let start = 0;
    if (match && !behaviour.ignoreRange) {
      start = Number(match[1]);
      if (start >= model.length) {
        res.writeHead(416, { "content-range": `bytes */${model.length}` }).end();
        return;
      }
      res.writeHead(206, {
        "content-range": `bytes ${start}-${model.length - 1}/${model.length}`,
        "content-length": model.length - start,
      });
    } else {
      res.writeHead(200, { "content-length": model.length });
    }
    const body = model.subarray(start);
    if (behaviour.cutAfter !== undefined && (behaviour.cuts ?? 0) > 0) {
      behaviour.cuts = (behaviour.cuts ?? 0) - 1;
      res.write(body.subarray(0, behaviour.cutAfter), () => res.socket?.destroy());
      return;
    }
    res.end(body);
  });
  cdnUrl = await listen(cdn);
  hub = createServer((req, res) => {
    record("hub", req);
    const match = /^\/([^/]+)\/([^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(req.url ?? "");
    if (match?.[4] !== "model.gguf") {
      res.writeHead(404, { "content-type": "text/plain" }).end("Entry not found");
      return;
    }
    res
      .writeHead(302, {
        location: `${cdnUrl}/blobs/${match[3]}/model.gguf`,
        "x-linked-etag": `"${behaviour.linkedEtag ?? modelSha}"`,
        "x-linked-size": String(model.length),
      })
      .end();
  });
  hubUrl = await listen(hub);
  process.env.CHORUS_HF_ENDPOINT = hubUrl;
});

after(async () => {
  delete process.env.CHORUS_HF_ENDPOINT;
  hub?.close();
  cdn?.close();
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  behaviour = {};
  requests.length = 0;
});

const quiet = { onProgress: () => {} };

test("hf: reference downloads through the redirect, verifies, caches and is found by name", async () => {
  const cacheDir = join(dir, "cache-full");
  process.env.HF_TOKEN = "secret-token";
  try {
    const path = await resolveModelFile("hf:someone/tiny-GGUF/model.gguf", { cacheDir, ...quiet });
    assert.equal(path, join(cacheDir, "models", "someone", "tiny-GGUF", "model.gguf"));
    assert.deepEqual(await readFile(path), model);
    // the token goes to the hub only, never to the CDN it redirects to
    assert.deepEqual(
      requests.map((r) => [r.server, r.auth]),
      [
        ["hub", "Bearer secret-token"],
        ["cdn", undefined],
      ],
    );
  } finally {
    delete process.env.HF_TOKEN;
  }
  requests.length = 0;
  assert.equal(
    await resolveModelFile("hf:someone/tiny-GGUF/model.gguf", { cacheDir }),
    join(cacheDir, "models/someone/tiny-GGUF/model.gguf"),
  );
  assert.equal(requests.length, 0, "a cached file is not downloaded again");
  const listed = await listCachedModels(cacheDir);
  assert.deepEqual(
    listed.map((m) => [m.name, m.bytes]),
    [["someone/tiny-GGUF/model.gguf", model.length]],
  );
  assert.equal(await resolveModelFile("model", { cacheDir }), listed[0]!.path);
  assert.equal(
    await resolveModelFile("someone/tiny-GGUF/model.gguf", { cacheDir }),
    listed[0]!.path,
  );
  const revision = await resolveModelFile("hf:someone/tiny-GGUF@v1.0/model.gguf", {
    cacheDir,
    ...quiet,
  });
  assert.equal(revision, join(cacheDir, "models", "someone", "tiny-GGUF@v1.0", "model.gguf"));
  assert.equal(requests.at(-1)?.url, "/blobs/v1.0/model.gguf");
});

test("a plain https URL downloads into models/urls/<host>/<path> and is cached", async () => {
  const cacheDir = join(dir, "cache-url");
  const url = `${cdnUrl}/blobs/main/model.gguf`;
  const path = await resolveModelFile(url, { cacheDir, sha256: modelSha, ...quiet });
  const host = new URL(cdnUrl).host.replace(":", "_");
  assert.equal(path, join(cacheDir, "models", "urls", host, "blobs", "main", "model.gguf"));
  assert.deepEqual(await readFile(path), model);
  requests.length = 0;
  assert.equal(await resolveModelFile(url, { cacheDir }), path);
  assert.equal(requests.length, 0);
});

test("a dropped connection resumes with a Range request, automatically or on the next run", async () => {
  const url = `${hubUrl}/o/r/resolve/main/model.gguf`;
  const cut = Math.floor(model.length * 0.4);

  behaviour = { cutAfter: cut, cuts: 1 };
  const dest = join(dir, "resume", "auto.gguf");
  const result = await downloadFile(url, dest, quiet);
  assert.equal(result.resumedFrom, cut);
  assert.equal(result.verified, true);
  assert.equal(result.sha256, modelSha);
  assert.deepEqual(await readFile(dest), model);
  assert.deepEqual(
    requests.filter((r) => r.server === "cdn").map((r) => r.range),
    [undefined, `bytes=${cut}-`],
  );

  behaviour = { cutAfter: cut, cuts: 1 };
  const later = join(dir, "resume", "later.gguf");
  await assert.rejects(
    downloadFile(url, later, { ...quiet, retries: 0 }),
    (error: unknown) =>
      error instanceof ModelCallError &&
      /interrupted at \d+ of \d+ bytes .*run the same command again to resume/.test(error.message),
  );
  assert.equal((await stat(`${later}.part`)).size, cut, "the partial file is kept");
  await assert.rejects(stat(later));
  const resumed = await downloadFile(url, later, quiet);
  assert.equal(resumed.resumedFrom, cut);
  assert.deepEqual(await readFile(later), model);
});

test("a server that ignores Range gets a clean restart, not a corrupt file", async () => {
  const url = `${hubUrl}/o/r/resolve/main/model.gguf`;
  const dest = join(dir, "no-range", "model.gguf");
  behaviour = { cutAfter: 1000, cuts: 1, ignoreRange: true };
  const result = await downloadFile(url, dest, quiet);
  assert.equal(result.resumedFrom, 0);
  assert.deepEqual(await readFile(dest), model);
});

test("checksum mismatch: clear error and nothing left in the cache", async () => {
  const cacheDir = join(dir, "cache-bad");
  behaviour = { linkedEtag: "0".repeat(64) };
  await assert.rejects(
    resolveModelFile("hf:o/r/model.gguf", { cacheDir, ...quiet }),
    (error: unknown) =>
      error instanceof DataError &&
      error.message.includes(`expected sha256 ${"0".repeat(64)}, got ${modelSha}`) &&
      /corrupt download was deleted/.test(error.message),
  );
  assert.deepEqual(await readdir(join(cacheDir, "models", "o", "r")), []);
  behaviour = {};
  await assert.rejects(
    resolveModelFile("hf:o/r/model.gguf", { cacheDir, sha256: "ab".repeat(32), ...quiet }),
    DataError,
  );
  assert.deepEqual(await listCachedModels(cacheDir), []);
  const path = await resolveModelFile("hf:o/r/model.gguf", {
    cacheDir,
    sha256: modelSha,
    ...quiet,
  });
  assert.deepEqual(await readFile(path), model);
  // a cached file is checked against a given hash too
  assert.equal(await resolveModelFile("hf:o/r/model.gguf", { cacheDir, sha256: modelSha }), path);
  await assert.rejects(
    resolveModelFile("hf:o/r/model.gguf", { cacheDir, sha256: "cd".repeat(32) }),
    /the cached file has sha256 [0-9a-f]{64}, not the expected (cd){32}/,
  );
});

test("bad references and missing files fail with the fix in the message", async () => {
  const cacheDir = join(dir, "cache-errors");
  await assert.rejects(
    resolveModelFile("hf:o/r/missing.gguf", { cacheDir, ...quiet }),
    (error: unknown) =>
      error instanceof ModelCallError &&
      error.details.status === 404 &&
      /HTTP 404; check the owner, repository, revision and file name/.test(error.message),
  );
  await assert.rejects(resolveModelFile("hf:only-owner/file.gguf", { cacheDir }), UsageError);
  await assert.rejects(resolveModelFile("hf:o/r/../../etc/passwd", { cacheDir }), UsageError);
  await assert.rejects(
    resolveModelFile("no-such-model", { cacheDir }),
    /model "no-such-model" not found: .*chorus models list.*hf:<owner>\/<repo>\/<file>\.gguf/,
  );
  await assert.rejects(
    resolveModelFile("hf:o/r/model.gguf", { cacheDir, download: false }),
    /not in the cache; run `chorus models pull hf:o\/r\/model.gguf`/,
  );
  await assert.rejects(
    downloadFile(`${hubUrl}/x`, join(dir, "x"), { sha256: "xyz" }),
    /64 hex digits/,
  );
});
