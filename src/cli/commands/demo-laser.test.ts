import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { runChorus } from "../../../test/support/run-chorus.ts";

test("demo laser --n 8 --json: the smoke's JSON line (claim, checks, conditions) and its run folders", async () => {
  const dir = await mkdtemp(join(tmpdir(), "chorus-demo-laser-"));
  try {
    const r = await runChorus([
      "demo",
      "laser",
      "--n",
      "8",
      "--seed",
      "3",
      "--json",
      "--runs-dir",
      dir,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split("\n").at(-1)!);
    assert.equal(out.method, "laser");
    assert.equal(out.evalSeed, 3);
    assert.equal(typeof out.reproduced, "boolean");
    assert.deepEqual(out.n, { perFamily: 8, trainPrompts: 16 });
    assert.deepEqual(Object.keys(out.conditions), ["laser", "random", "ensemble"]);
    assert.equal(out.checks.rmCallRatio.ratio, 1 / 3);
    assert.equal(out.reproduced, out.checks.lateChoice.pass && out.checks.rmCallRatio.pass);
    const [run] = await readdir(dir);
    const csv = await readFile(join(dir, run!, "laser", "selection.csv"), "utf8");
    assert.equal(csv.trim().split("\n").length, 1 + 3 * 2, "3 iterations × 2 batches");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
