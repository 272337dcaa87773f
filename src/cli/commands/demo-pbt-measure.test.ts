import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { runChorus } from "../../../test/support/run-chorus.ts";
import { shippedModel } from "../../testbed/shipped-models.ts";
import { parseSeeds } from "./demo-pbt-measure.ts";

const bin = fileURLToPath(new URL("../../../bin/chorus.js", import.meta.url));
const shipped = (() => {
  try {
    return shippedModel("atlas-1m");
  } catch {
    return undefined;
  }
})();

/** Runs the CLI until a line on stderr matches `at`, then kills it (SIGKILL: no clean-up runs). */
function runUntil(args: readonly string[], at: RegExp, signal: AbortSignal): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: { ...process.env, CI: "1" },
      signal,
    });
    child.on("error", () => {});
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      if (at.test(stderr)) child.kill("SIGKILL");
    });
    child.on("exit", () => resolve(stderr));
  });
}

/**
 * The pre-registered measurement at tiny sizes on the shipped atlas-1m (as both the strong model
 * and its partner): two training seeds, killed while training the second, then resumed.
 */
test("demo pbt --measure: two seeds end to end, killed and resumed without repeating finished work", {
  skip: shipped ? false : "models/atlas-1m.gguf not found",
  timeout: 600_000,
}, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "chorus-pbt-measure-"));
  const args = [
    ...["demo", "pbt", "--measure", "--model", "atlas-1m", "--partner", "atlas-1m"],
    ...["--n", "24", "--train-seeds", "1,2", "--eval-pairs", "3", "--sure-n", "4", "--team-n", "3"],
    ...["--seed", "5", "--json", "--runs-dir", dir],
  ];
  try {
    const killed = await runUntil(args, /seed 2 \(2\/2\): train pbt/, t.signal);
    assert.match(killed, /seed 1 \(1\/2\): evaluate resist-only/);
    const [name] = await readdir(dir);
    const runDir = join(dir, name!);

    const other = await runChorus([
      ...args.slice(0, -5),
      "--seed",
      "6",
      "--json",
      "--resume",
      runDir,
    ]);
    assert.equal(other.code, 2, "other settings are refused");
    assert.match(other.stderr, /evalSeed: 5, now 6/);

    const r = await runChorus([...args, "--resume", runDir]);
    assert.equal(r.code, 0, r.stderr);
    for (const v of ["pbt", "accept-only", "resist-only"])
      assert.match(r.stderr, new RegExp(`seed 1 \\(1/2\\): ${v} trained earlier`));
    assert.doesNotMatch(r.stderr, /seed 1 \(1\/2\): train /);
    const out = JSON.parse(r.stdout.trim().split("\n").at(-1)!);
    assert.equal(out.method, "pbt");
    assert.equal(out.measure, true);
    assert.deepEqual(out.trainSeeds, [1, 2]);
    assert.equal(out.sizeMatch, "balanced");
    assert.equal(out.runDir, runDir);
    assert.equal(out.checks.length, 4);
    assert.equal(
      out.reproduced,
      out.checks.every((c: { pass: boolean }) => c.pass),
    );
    assert.equal(out.nullWorld, false);
    assert.equal(typeof out.nullRule.pass, "boolean");
    assert.equal(out.variants.base.seeds, 1);
    assert.equal(out.variants.pbt.seeds, 2);
    assert.ok(out.n.evalPairs.cti >= 1 && out.n.evalPairs.cti <= 3, JSON.stringify(out.n));
    assert.equal(out.n.evalPairs.cti, out.n.evalPairs.itc);
    assert.ok(out.n.sure.kept >= 1 && out.n.sure.kept <= 4);
    assert.equal(out.n.team, 3);
    const bucketed = out.exposure.reduce((s: number, b: { n: number }) => s + b.n, 0);
    assert.equal(bucketed, 2 * out.n.evalPairs.cti, "every evaluation pair is in one bucket");
    for (const seed of [1, 2])
      for (const v of ["pbt", "accept-only", "resist-only"]) {
        assert.ok(existsSync(join(runDir, "adapters", `seed-${seed}-${v}.gguf`)));
        assert.ok(out.training[seed][v].pairs > 0);
      }
    // Nothing finished before the kill was measured again: every result id is written once.
    const ids = (await readFile(join(runDir, "results.jsonl"), "utf8"))
      .trim()
      .split("\n")
      .map((line) => (JSON.parse(line) as { id: string }).id);
    assert.equal(new Set(ids).size, ids.length);
    assert.equal(
      ids.filter((id) => id.startsWith("eval/1/pbt/persuasion/")).length,
      2 * out.n.evalPairs.cti,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("--train-seeds: distinct integers", () => {
  assert.deepEqual(parseSeeds("12, 13,14"), [12, 13, 14]);
  assert.throws(() => parseSeeds("12,x"), /integers like 12,13,14/);
  assert.throws(() => parseSeeds(""), /integers like/);
  assert.throws(() => parseSeeds("3,3"), /repeats/);
});

test("--size-match: an unknown rule is one usage error naming the choices", async () => {
  const r = await runChorus(["demo", "pbt", "--measure", "--size-match", "equal"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--size-match takes balanced or smallest; got "equal"/);
});
