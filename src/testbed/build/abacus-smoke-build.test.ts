import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { runChorus, runChorusInProcess } from "../../../test/support/run-chorus.ts";
import { fileSha256 } from "../../runtime/file-hash.ts";

// The Abacus smoke world through the shipped models' path: `chorus testbed build`, its record
// with the skills check, and MANIFEST.md (~15 s on a quiet box: 60k tokens, 16 probes).
let dir = "";
let built: { code: number; stdout: string; stderr: string };

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "chorus-abacus-smoke-"));
  built = await runChorus([
    "testbed",
    "build",
    "abacus-smoke",
    "--out-dir",
    join(dir, "models"),
    "--work-dir",
    join(dir, "work"),
    "--skills-n",
    "2",
  ]);
});
after(() => rm(dir, { recursive: true, force: true }));

test("chorus testbed build abacus-smoke trains on Abacus and records accuracy per skill", async () => {
  assert.equal(built.code, 0, built.stderr);
  const record = JSON.parse(built.stdout.trim().split("\n").at(-1)!);
  const gguf = join(dir, "models", "abacus-smoke.gguf");
  assert.ok(existsSync(gguf));
  assert.equal(record.sha256, await fileSha256(gguf));
  assert.equal(record.world, "abacus");
  assert.deepEqual(record.worldConfig.chain, {
    steps: [2, 8],
    digits: [2, 3],
    distractors: [0, 2],
  });
  assert.equal(record.shape.vocabSize, 768);
  assert.ok(record.build.tokens > 55_000, `trained on ${record.build.tokens} tokens`);
  // from ln 768 ≈ 6.6 at random init
  assert.ok(record.build.finalLoss < 5, `final loss ${record.build.finalLoss}`);
  assert.deepEqual(
    record.checks.skills.map((s: { skill: string; n: number }) => `${s.skill}:${s.n}`),
    ["add", "sub", "max", "sort", "reverse", "count", "chain", "prog"].map((s) => `${s}:2`),
  );
  // the corpus stops at the first task past its budget
  const words = record.checks.corpus.total;
  assert.ok(words >= 60_000 && words < 60_400, `${words} corpus words`);
  assert.equal(record.checks.knowledgeCurve, undefined);
  const manifest = readFileSync(join(dir, "models", "MANIFEST.md"), "utf8");
  assert.match(manifest, /## abacus-smoke/);
  assert.match(
    manifest,
    /- skills \(greedy, exact final answer; `skills` eval seed 1, n 2 per skill\): add /,
  );
});

test("a check size of the other world is refused; --help shows how to build abacus-1m", async () => {
  const r = await runChorusInProcess([
    "testbed",
    "build",
    "abacus-smoke",
    "--knowledge-limit",
    "5",
  ]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--knowledge-limit does not apply to abacus-smoke, a model of abacus/);
  const help = await runChorus(["testbed", "build", "--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /\$ chorus testbed build abacus-1m\n/);
  assert.match(help.stdout, /--skills-n <n> +abacus: problems per skill/);
});
