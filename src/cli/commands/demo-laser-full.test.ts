import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { runChorus } from "../../../test/support/run-chorus.ts";
import { rmSettings } from "../../testbed/demo/laser-abacus-rm-train.ts";

/** A stored RM stage whose RM_prog missed the precondition (as on abacus-1m, docs/laser.md). */
function storedRms(dir: string) {
  mkdirSync(join(dir, "rms"), { recursive: true });
  const rm = (family: string, auroc: number) => ({
    family,
    adapter: `rms/rm-${family}.lora.gguf`,
    examples: 400,
    positives: 100,
    steps: 50,
    firstLoss: 1,
    loss: 0.5,
    seconds: 1,
    heldout: { samples: 400, right: 50, auroc, pass: auroc >= 0.75 },
  });
  const rms = { list: rm("list", 0.8), prog: rm("prog", 0.6) };
  writeFileSync(
    join(dir, "rms", "rms.json"),
    JSON.stringify({ settings: rmSettings, rms, pass: false }),
  );
}

test("demo laser --full --rms: a failed RM precondition runs no loop, exits 0 and says so", async () => {
  const dir = await mkdtemp(join(tmpdir(), "chorus-demo-laser-full-"));
  try {
    storedRms(join(dir, "stored"));
    const args = [
      "demo",
      "laser",
      "--full",
      "--rms",
      join(dir, "stored"),
      "--runs-dir",
      join(dir, "runs"),
    ];
    const r = await runChorus([...args, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split("\n").at(-1)!);
    assert.equal(out.verdict, "NOT REPRODUCED (precondition failed)");
    assert.equal(out.reproduced, false);
    assert.equal(out.precondition.pass, false);
    assert.deepEqual(out.ran, []);
    assert.equal(out.missing.length, 39);
    assert.equal(out.rms.prog.heldout.auroc, 0.6);
    const otherRecipe = await runChorus([
      ...args.slice(0, -2),
      "--runs-dir",
      join(dir, "other"),
      "--rm-recipe",
      "large",
    ]);
    assert.notEqual(otherRecipe.code, 0);
    assert.match(otherRecipe.stderr, /holds RMs trained with other settings/);
    const [run] = await readdir(join(dir, "runs"));
    const resumed = await runChorus([
      "demo",
      "laser",
      "--full",
      "--conditions",
      "laser",
      "--train-seeds",
      "1",
      "--resume",
      join(dir, "runs", run!),
    ]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, /RM_prog: .* AUROC 0\.600 .* MISS/);
    assert.match(resumed.stdout, /claim NOT REPRODUCED \(precondition failed\)/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("demo laser: usage errors name the fix", async () => {
  const bad = await runChorus(["demo", "laser", "--full", "--conditions", "lasr"]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /no condition "lasr"; the conditions are laser, single-list/);
  const resume = await runChorus(["demo", "laser", "--resume", "runs/x"]);
  assert.notEqual(resume.code, 0);
  assert.match(resume.stderr, /--resume continues `chorus demo laser --full` runs only/);
  const recipe = await runChorus(["demo", "laser", "--full", "--rm-recipe", "huge"]);
  assert.notEqual(recipe.code, 0);
  assert.match(recipe.stderr, /--rm-recipe huge: the recipes are registered, large/);
  const loop = await runChorus(["demo", "laser", "--full", "--loop-recipe", "a6"]);
  assert.notEqual(loop.code, 0);
  assert.match(loop.stderr, /--loop-recipe a6: the recipes are registered, a5/);
  const lr = await runChorus(["demo", "laser", "--full", "--lr", "-1"]);
  assert.notEqual(lr.code, 0);
  assert.match(lr.stderr, /--lr/);
  const full = await runChorus(["demo", "adacad", "--full"]);
  assert.notEqual(full.code, 0);
  assert.match(full.stderr, /`chorus demo adacad` has one size \(drop --full\)/);
  const help = await runChorus(["demo", "--help"]);
  assert.match(help.stdout, /chorus demo laser --full --conditions laser,random --train-seeds 1/);
});
