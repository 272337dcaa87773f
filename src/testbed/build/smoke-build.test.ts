import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { runChorus } from "../../../test/support/run-chorus.ts";
import { fileSha256 } from "../../runtime/file-hash.ts";

// The smoke world through the same path as the shipped models: `chorus testbed build`, its record
// and MANIFEST.md, then `chorus demo` on the result. CI never rebuilds the shipped models.
let dir = "";
let built: { code: number; stdout: string; stderr: string };

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "chorus-smoke-build-"));
  built = await runChorus([
    "testbed",
    "build",
    "atlas-smoke",
    "--out-dir",
    join(dir, "models"),
    "--work-dir",
    join(dir, "work"),
    "--knowledge-limit",
    "48",
  ]);
});
after(() => rm(dir, { recursive: true, force: true }));

test("chorus testbed build atlas-smoke writes the model, its record and the manifest", async () => {
  assert.equal(built.code, 0, built.stderr);
  const record = JSON.parse(built.stdout.trim().split("\n").at(-1)!);
  const gguf = join(dir, "models", "atlas-smoke.gguf");
  assert.ok(existsSync(gguf));
  assert.equal(record.sha256, await fileSha256(gguf));
  assert.equal(record.world, "atlas");
  assert.equal(record.worldConfig.people, 64);
  assert.ok(record.build.tokens > 50_000, `trained on ${record.build.tokens} tokens`);
  assert.ok(record.build.finalLoss < 4, `final loss ${record.build.finalLoss}`);
  assert.equal(record.checks.knowledgeCurve.length, 6);
  assert.ok(record.checks.reading.n > 0);
  const manifest = readFileSync(join(dir, "models", "MANIFEST.md"), "utf8");
  assert.match(manifest, /## atlas-smoke/);
  assert.match(manifest, new RegExp(record.sha256));
  // The build resumes from its checkpoint instead of training again.
  const again = await runChorus([
    "testbed",
    "build",
    "atlas-smoke",
    "--out-dir",
    join(dir, "models"),
    "--work-dir",
    join(dir, "work"),
    "--knowledge-limit",
    "12",
  ]);
  assert.equal(again.code, 0, again.stderr);
  const resumed = JSON.parse(again.stdout.trim().split("\n").at(-1)!);
  assert.equal(resumed.sha256, record.sha256);
  // the record still describes the whole training, not the resumed call's empty part
  assert.equal(resumed.build.tokens, record.build.tokens);
  assert.ok(resumed.build.wallSeconds >= record.build.wallSeconds);
});

test("chorus demo --json runs the AdaCAD claim on the built model", async () => {
  assert.equal(built.code, 0, built.stderr);
  const r = await runChorus([
    "demo",
    "--models-dir",
    join(dir, "models"),
    "--model",
    "atlas-smoke",
    "--n",
    "12",
    "--runs-dir",
    join(dir, "runs"),
    "--json",
  ]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split("\n").at(-1)!);
  assert.equal(out.method, "adacad");
  assert.equal(typeof out.reproduced, "boolean");
  assert.deepEqual(Object.keys(out.accuracy).sort(), ["adacad", "cad", "greedy"]);
  assert.equal(out.n.conflict, 12);
  for (const d of ["greedy", "cad", "adacad"])
    assert.ok(out.accuracy[d].conflict.low <= out.accuracy[d].conflict.mean);
  assert.ok(existsSync(join(out.runDir, "results.jsonl")));
  const lines = readFileSync(join(out.runDir, "results.jsonl"), "utf8").trim().split("\n");
  assert.equal(lines.length, 12 + 12 + 7);
});

test("chorus demo names the fix when the model is missing", async () => {
  const r = await runChorus(["demo", "--models-dir", join(dir, "nothing"), "--json"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /chorus testbed build atlas-1m/);
});
