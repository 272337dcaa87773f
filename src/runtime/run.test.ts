import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { UsageError } from "../model/errors.ts";
import { Run } from "./run.ts";

test("a run folder records its manifest, results and events, and resumes", () => {
  const runsDir = mkdtempSync(join(tmpdir(), "chorus-runs-"));
  const run = Run.create({ runsDir, config: { method: "demo" }, seed: 3, argv: ["demo"] });
  run.appendResult({ id: "a", index: 0, result: { answer: 1 } });
  run.appendEvent({
    time: new Date().toISOString(),
    model: "m",
    provider: "scripted",
    kind: "generate",
    inputTokens: 4,
    outputTokens: 6,
    latencyMs: 1,
    cached: false,
    retries: 0,
  });
  run.recordModel("m", { engine: "llamacpp", file: "/x.gguf", sha256: "ab" });
  run.close();

  const manifest = JSON.parse(readFileSync(join(run.dir, "config.json"), "utf8"));
  assert.equal(manifest.seed, 3);
  assert.equal(manifest.nodeVersion, process.version);
  assert.match(manifest.chorusVersion, /^\d+\.\d+\.\d+/);
  assert.deepEqual(manifest.models.m, { engine: "llamacpp", file: "/x.gguf", sha256: "ab" });
  assert.throws(() => Run.create({ dir: run.dir, config: {} }), UsageError);

  // A kill in the middle of a write leaves a line without its newline.
  appendFileSync(run.resultsPath, '{"id":"b","index":1,"res');
  const resumed = Run.resume(run.dir);
  assert.deepEqual([...resumed.finished.keys()], ["a"]);
  assert.equal(resumed.tokensSpentBefore, 10);
  resumed.appendResult({ id: "b", index: 1, result: { answer: 2 } });
  resumed.close();
  assert.equal(
    readFileSync(run.resultsPath, "utf8"),
    '{"id":"a","index":0,"result":{"answer":1}}\n{"id":"b","index":1,"result":{"answer":2}}\n',
  );
  assert.equal(JSON.parse(readFileSync(join(run.dir, "config.json"), "utf8")).resumedAt.length, 1);
});

test("resuming a folder that is not a run says so", () => {
  const dir = mkdtempSync(join(tmpdir(), "chorus-runs-"));
  assert.throws(() => Run.resume(dir), /not a run folder/);
});
