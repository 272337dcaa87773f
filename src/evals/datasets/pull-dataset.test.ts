import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, beforeEach, test } from "node:test";
import { parquetWriteBuffer } from "hyparquet-writer";
import { DataError, ModelCallError, UsageError } from "../../model/errors.ts";
import { type FakeHub, type HubRequest, refusedUrl, startFakeHub } from "../../testing/fake-hub.ts";
import { dataPlaces } from "./dataset-files.ts";
import { datasetStatus } from "./dataset-status.ts";
import { findDatasetLoader, loadDataset } from "./index.ts";

const questions = ["What is 9 + 9?", "What is 2 + 3?", "What is 10 - 4?"];
const answers = ["9 + 9 = <<9+9=18>>18\n#### 18", "2 + 3 = 5\n#### 5", "10 - 4 = 6\n#### 6"];
let parquet: Buffer;
let parquetSha: string;
let dir: string;
let hub: FakeHub;
let hubUrl: string;
let requests: HubRequest[];

/**
 * gsm8k's hub schema (question, answer) plus a `solution_notes` column of hex text the loader
 * ignores, so the file is tens of kilobytes and a connection can be cut well inside it.
 */
function gsm8kParquet(rows: { question: string; answer: string }[]): Buffer {
  const notes = rows.map((r) =>
    Array.from({ length: 300 }, (_, i) =>
      createHash("sha256").update(`${r.question}-${i}`).digest("hex"),
    ).join(""),
  );
  const written = parquetWriteBuffer({
    columnData: [
      { name: "question", data: rows.map((r) => r.question), type: "STRING" },
      { name: "answer", data: rows.map((r) => r.answer), type: "STRING" },
      { name: "solution_notes", data: notes, type: "STRING" },
    ],
  });
  return Buffer.from(written);
}

// The hub holds gsm8k's test split as a parquet file written here; gpqa is gated.
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "chorus-data-pull-"));
  parquet = gsm8kParquet(questions.map((question, i) => ({ question, answer: answers[i]! })));
  parquetSha = createHash("sha256").update(parquet).digest("hex");
  hub = await startFakeHub({
    file: (path) =>
      path === "/datasets/openai/gsm8k/resolve/main/main/test-00000-of-00001.parquet"
        ? { bytes: parquet, blobPath: "/blobs/gsm8k-test" }
        : undefined,
    blob: (path) => (path === "/blobs/gsm8k-test" ? parquet : undefined),
    refuse: (path, req) =>
      path.startsWith("/datasets/Idavidrein/gpqa/") && !req.headers.authorization,
  });
  ({ hubUrl, requests } = hub);
});

after(async () => {
  hub?.close();
  await rm(dir, { recursive: true, force: true });
});

// every test starts with no mirror content, the hub at HF_ENDPOINT and no token or offline flag
let emptyMirror: string;
beforeEach(async () => {
  hub.behaviour = {};
  requests.length = 0;
  emptyMirror = join(dir, "empty-mirror");
  await mkdir(emptyMirror, { recursive: true });
  delete process.env.CHORUS_HF_ENDPOINT;
  delete process.env.HF_TOKEN;
  delete process.env.HF_HUB_OFFLINE;
  process.env.HF_ENDPOINT = hubUrl;
});

const quiet = { log: () => {}, onProgress: () => {} };

test("a dataset missing here is pulled from HF_ENDPOINT once, read from parquet, then cached", async () => {
  const cacheDir = join(dir, "cache-pull");
  process.env.HF_TOKEN = "secret-token";
  const lines: string[] = [];
  const items = await loadDataset("gsm8k", {
    mirrors: [emptyMirror],
    cacheDir,
    log: (line) => lines.push(line),
    onProgress: () => {},
  });
  assert.deepEqual(
    items.map((i) => [i.id, i.question, i.answer]),
    [
      ["gsm8k-0", questions[0], "18"],
      ["gsm8k-1", questions[1], "5"],
      ["gsm8k-2", questions[2], "6"],
    ],
  );
  assert.deepEqual(lines, [
    "gsm8k: downloading main/test-00000-of-00001.parquet from hf:openai/gsm8k@main",
  ]);
  // the token goes to the hub only, never to the CDN it redirects to
  assert.deepEqual(
    requests.map((r) => [r.server, r.auth]),
    [
      ["hub", "Bearer secret-token"],
      ["cdn", undefined],
    ],
  );
  const places = dataPlaces({ mirrors: [emptyMirror], cacheDir });
  const loader = findDatasetLoader("gsm8k")!;
  assert.equal(datasetStatus(loader, places).state, "cached");
  requests.length = 0;
  assert.equal(
    (await loadDataset("gsm8k", { mirrors: [emptyMirror], cacheDir, ...quiet })).length,
    3,
  );
  assert.equal(requests.length, 0, "a cached dataset is not downloaded again");
  assert.deepEqual(await readdir(join(cacheDir, "datasets", "openai", "gsm8k", "main")), [
    "test-00000-of-00001.parquet",
  ]);
});

test("a mirror holding the file is used first: no request to the hub", async () => {
  const mirror = join(dir, "mirror");
  await mkdir(join(mirror, "gsm8k"), { recursive: true });
  await writeFile(
    join(mirror, "gsm8k", "test.jsonl"),
    `${JSON.stringify({ question: "From the mirror?", answer: "yes\n#### 1" })}\n`,
  );
  const items = await loadDataset("gsm8k", {
    mirrors: [mirror],
    cacheDir: join(dir, "c-m"),
    ...quiet,
  });
  assert.deepEqual(
    items.map((i) => i.question),
    ["From the mirror?"],
  );
  assert.equal(requests.length, 0);
  const status = datasetStatus(findDatasetLoader("gsm8k")!, dataPlaces({ mirrors: [mirror] }));
  assert.equal(status.state, "mirror");
});

test("a cut connection resumes from where it stopped and the file checks out", async () => {
  const cacheDir = join(dir, "cache-cut");
  const cut = Math.floor(parquet.length / 2);
  hub.behaviour = { cutAfter: cut, cuts: 1 };
  const items = await loadDataset("gsm8k", { mirrors: [emptyMirror], cacheDir, ...quiet });
  assert.equal(items.length, 3);
  assert.deepEqual(
    requests.filter((r) => r.server === "cdn").map((r) => r.range),
    [undefined, `bytes=${cut}-`],
  );
});

test("a wrong checksum fails, naming both hashes, and leaves nothing in the cache", async () => {
  const cacheDir = join(dir, "cache-bad");
  hub.behaviour = { linkedEtag: "0".repeat(64) };
  await assert.rejects(
    loadDataset("gsm8k", { mirrors: [emptyMirror], cacheDir, ...quiet }),
    (error: unknown) =>
      error instanceof DataError &&
      error.message.includes(`expected sha256 ${"0".repeat(64)}, got ${parquetSha}`),
  );
  const status = datasetStatus(
    findDatasetLoader("gsm8k")!,
    dataPlaces({ mirrors: [emptyMirror], cacheDir }),
  );
  assert.equal(status.state, "missing");
  assert.deepEqual(await readdir(join(cacheDir, "datasets", "openai", "gsm8k", "main")), []);
});

test("offline, or with the hub out of reach, the error names `chorus data pull <name>`", async () => {
  const cacheDir = join(dir, "cache-offline");
  await assert.rejects(
    loadDataset("gsm8k", { mirrors: [emptyMirror], cacheDir, download: false, ...quiet }),
    (error: unknown) =>
      error instanceof UsageError && /run `chorus data pull gsm8k`/.test(error.message),
  );
  process.env.HF_HUB_OFFLINE = "1";
  await assert.rejects(
    loadDataset("gsm8k", { mirrors: [emptyMirror], cacheDir, ...quiet }),
    /chorus data pull gsm8k/,
  );
  assert.equal(requests.length, 0);
  delete process.env.HF_HUB_OFFLINE;
  // a port nothing listens on: the connection is refused
  process.env.HF_ENDPOINT = await refusedUrl();
  await assert.rejects(
    loadDataset("gsm8k", { mirrors: [emptyMirror], cacheDir, ...quiet }),
    (error: unknown) =>
      error instanceof ModelCallError &&
      error.message.startsWith('dataset "gsm8k": download of') &&
      /run `chorus data pull gsm8k` where the hub can be reached/.test(error.message),
  );
  // a dataset only mirrors hold says so instead
  await assert.rejects(
    loadDataset("xsum", { mirrors: [emptyMirror], cacheDir, ...quiet }),
    /has no source on the hub: put a folder holding xsum\/test\.jsonl\.gz in --data-mirror/,
  );
});

test("a gated dataset without HF_TOKEN says to accept its terms and set HF_TOKEN", async () => {
  await assert.rejects(
    loadDataset("gpqa", { mirrors: [emptyMirror], cacheDir: join(dir, "cache-gated"), ...quiet }),
    (error: unknown) =>
      error instanceof ModelCallError &&
      error.details.status === 401 &&
      /hf:Idavidrein\/gpqa is gated: accept its terms on the hub, then set HF_TOKEN/.test(
        error.message,
      ),
  );
  assert.equal(datasetStatus(findDatasetLoader("gpqa")!, dataPlaces()).gated, true);
});

test("a hub file is checked like the mirror's: a bad row is named by file and row", async () => {
  const cacheDir = join(dir, "cache-badrow");
  const places = dataPlaces({ mirrors: [emptyMirror], cacheDir });
  const cached = join(
    cacheDir,
    "datasets",
    "openai",
    "gsm8k",
    "main",
    "test-00000-of-00001.parquet",
  );
  await mkdir(join(cached, ".."), { recursive: true });
  await writeFile(
    cached,
    gsm8kParquet([
      { question: "ok?", answer: "#### 1" },
      { question: "no final answer", answer: "just text" },
    ]),
  );
  assert.equal(datasetStatus(findDatasetLoader("gsm8k")!, places).state, "cached");
  await assert.rejects(
    loadDataset("gsm8k", { mirrors: [emptyMirror], cacheDir, ...quiet }),
    (error: unknown) =>
      error instanceof DataError &&
      error.message.includes('row 2: field "answer" has no final "#### <number>"'),
  );
});
