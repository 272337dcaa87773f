import assert from "node:assert/strict";
import { test } from "node:test";
import { runChorus } from "../../../test/support/run-chorus.ts";
import { upcoreDemoSettings, upcoreRunConfig } from "./demo-upcore.ts";

test("demo upcore: evaluation batch 32 by default, kept out of the run config (a run folder resumes with either)", () => {
  const full = upcoreDemoSettings({ full: true, recipe: "strong" });
  assert.equal(full.evalBatch, 32);
  const oneByOne = upcoreDemoSettings({ full: true, recipe: "strong", evalBatch: 1 });
  assert.equal(oneByOne.evalBatch, 1);
  assert.ok(!("evalBatch" in upcoreRunConfig(full)));
  assert.deepEqual(upcoreRunConfig(oneByOne), upcoreRunConfig(full));
  assert.deepEqual(upcoreRunConfig(full).recipe, full.recipe);
});

test("demo: --eval-batch belongs to upcore, refuses 0, and its help shows it", async () => {
  const other = await runChorus(["demo", "utdebug", "--eval-batch", "8"]);
  assert.notEqual(other.code, 0);
  assert.match(other.stderr, /--eval-batch sets `chorus demo upcore`'s evaluation batch/);
  const zero = await runChorus(["demo", "upcore", "--eval-batch", "0"]);
  assert.notEqual(zero.code, 0);
  assert.match(zero.stderr, /--eval-batch/);
  const help = await runChorus(["demo", "--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /chorus demo upcore --recipe strong --eval-batch 1/);
});

test("demo upcore --full --null-world: five forget sets, one per relation but the retain one", () => {
  const nullWorld = upcoreDemoSettings({ full: true, nullWorld: true, recipe: "strong" });
  assert.equal(nullWorld.grouping, "relations");
  assert.equal(nullWorld.sizes.forgetSets, 5);
  assert.equal(upcoreDemoSettings({ full: true }).sizes.forgetSets, 6);
  assert.equal(upcoreDemoSettings({ nullWorld: true }).sizes.forgetSets, 2);
});
