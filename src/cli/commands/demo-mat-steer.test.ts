import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { runChorus } from "../../../test/support/run-chorus.ts";

test("demo mat-steer: a missing model is one clear error before any run folder exists", async () => {
  const dir = await mkdtemp(join(tmpdir(), "chorus-demo-steer-"));
  try {
    const runs = join(dir, "runs");
    const run = await runChorus([
      "demo",
      "mat-steer",
      "--models-dir",
      dir,
      "--model",
      "atlas-none",
      "--runs-dir",
      runs,
    ]);
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /"atlas-none" is not in .*chorus testbed build atlas-none/);
    assert.equal(existsSync(runs), false);
    const unknown = await runChorus(["demo", "steer"]);
    assert.equal(unknown.code, 2);
    assert.match(
      unknown.stderr,
      // the list grows with each demo: check it names the demos and the wrong word, not its length
      /knows "adacad", "mat-steer", .*not "steer"/,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
