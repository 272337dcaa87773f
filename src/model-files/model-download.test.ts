import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, beforeEach, test } from "node:test";
import { writeRandomModel } from "../gguf/random-model.ts";
import { DataError, ModelCallError, UsageError } from "../model/errors.ts";
import { type FakeHub, type HubRequest, startFakeHub } from "../testing/fake-hub.ts";
import { downloadFile } from "./download-file.ts";
import { listCachedModels } from "./model-cache.ts";
import { resolveModelFile } from "./resolve-model-file.ts";

let dir: string;
let model: Buffer;
let modelSha: string;
let hub: FakeHub;
let cdnUrl: string;
let hubUrl: string;
let requests: HubRequest[];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "chorus-model-files-"));
  const source = join(dir, "source.gguf");
  await writeRandomModel(source, { preset: "tiny", seed: 11 });
  model = await readFile(source);
  modelSha = createHash("sha256").update(model).digest("hex");
  // any `<owner>/<repo>/resolve/<rev>/model.gguf` is the model, served at /blobs/<rev>/model.gguf
  hub = await startFakeHub({
    file: (path) => {
      const match = /^\/([^/]+)\/([^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(path);
      return match?.[4] === "model.gguf"
        ? { bytes: model, blobPath: `/blobs/${match[3]}/model.gguf` }
        : undefined;
    },
    blob: () => model,
  });
  ({ cdnUrl, hubUrl, requests } = hub);
  process.env.CHORUS_HF_ENDPOINT = hubUrl;
});

after(async () => {
  delete process.env.CHORUS_HF_ENDPOINT;
  hub?.close();
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  hub.behaviour = {};
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

  hub.behaviour = { cutAfter: cut, cuts: 1 };
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

  hub.behaviour = { cutAfter: cut, cuts: 1 };
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
  hub.behaviour = { cutAfter: 1000, cuts: 1, ignoreRange: true };
  const result = await downloadFile(url, dest, quiet);
  assert.equal(result.resumedFrom, 0);
  assert.deepEqual(await readFile(dest), model);
});

test("checksum mismatch: clear error and nothing left in the cache", async () => {
  const cacheDir = join(dir, "cache-bad");
  hub.behaviour = { linkedEtag: "0".repeat(64) };
  await assert.rejects(
    resolveModelFile("hf:o/r/model.gguf", { cacheDir, ...quiet }),
    (error: unknown) =>
      error instanceof DataError &&
      error.message.includes(`expected sha256 ${"0".repeat(64)}, got ${modelSha}`) &&
      /corrupt download was deleted/.test(error.message),
  );
  assert.deepEqual(await readdir(join(cacheDir, "models", "o", "r")), []);
  hub.behaviour = {};
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
