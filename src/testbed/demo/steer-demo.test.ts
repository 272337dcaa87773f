import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadLlamaCppModel } from "../../engines/llamacpp/index.ts";
import { sharedFile } from "../../evals/shared-dir.ts";
import { choiceAccuracy } from "../../methods/mat-steer/index.ts";
import { Run } from "../../runtime/run.ts";
import { atlasConfig, atlasVariants } from "../atlas/atlas-config.ts";
import { buildAtlasWorld } from "../atlas/atlas-world.ts";
import { steerAttributes } from "../atlas/steer-items.ts";
import { runSteerDemo } from "./steer-demo.ts";
import { steerDemoData } from "./steer-demo-data.ts";
import { alphaGrid } from "./steer-tune.ts";

const modelPath = sharedFile("models", "stories260K.gguf");

// The whole demo path at toy size on a real model (stories260K reads Atlas text through byte
// pieces: the numbers mean nothing, the wiring does). The demo on an Atlas model is `chorus demo
// mat-steer`; its numbers are in docs/testbed.md.
test("the MAT-Steer demo runs end to end: every item under every condition, in the run folder", {
  skip: modelPath ? false : "stories260K.gguf not found",
  timeout: 120_000,
}, async () => {
  const world = buildAtlasWorld(atlasConfig(atlasVariants.smoke!.config));
  const data = steerDemoData(world, 1, { pairs: 10, n: 4, neutral: 4, validation: 3 });
  assert.equal(data.train.truthful.positive.length, 8);
  assert.equal(data.heldOut.fair.negative.length, 2);
  const dir = await mkdtemp(join(tmpdir(), "chorus-steer-demo-"));
  const model = await loadLlamaCppModel({ modelPath: modelPath!, gpu: false });
  try {
    const run = Run.create({ dir: join(dir, "run"), config: { demo: "mat-steer" }, seed: 1 });
    const result = await runSteerDemo(model, data, { run });
    run.close();
    const { report, training, outcomes } = result;
    const items = data.eval.mc.length + data.eval.neutral.length;
    assert.equal(items, 3 * 4 + 3 * 1 + 4);
    assert.equal(outcomes.length, items);
    const lines = readFileSync(join(dir, "run", "results.jsonl"), "utf8")
      .trim()
      .split("\n");
    assert.equal(lines.length, items);
    assert.equal(training.layer, 2, "stories260K has 5 blocks: the middle one");
    assert.ok((alphaGrid as readonly number[]).includes(training.alpha.chosen));
    assert.equal(training.alpha.scores.length, alphaGrid.length);
    for (const o of outcomes) {
      for (const s of ["spec", "median"] as const) {
        assert.equal(o.gates[s].length, 3, `${o.id}: one gate per attribute`);
        for (const g of o.gates[s]) assert.ok(g >= 0 && g <= 1);
      }
      if (o.kind === "undesirable") assert.equal(typeof o.single, "boolean");
      else for (const kl of Object.values(o.kl!)) assert.ok(kl >= 0 && Number.isFinite(kl));
    }
    // the unsteered column agrees with the method's own MC scorer on the same items
    for (const a of steerAttributes) {
      const mine = data.eval.mc.filter((i) => i.attribute === a && i.persona === "undesirable");
      const expected = 100 * (await choiceAccuracy(model, mine, []));
      assert.equal(report.accuracy.unsteered[a].mean, expected, a);
    }
    // steering moves the next-token distribution; an exact zero would mean the hook never ran
    assert.ok(report.kl["mean-diff"].neutral.mean > 0);
    assert.ok(report.kl["mat-median"].neutral.mean > 0);
    assert.equal(report.checks.length, 4);
    assert.equal(
      report.reproduced,
      report.checks.every((c) => c.passed),
    );
  } finally {
    await model.close?.();
    await rm(dir, { recursive: true, force: true });
  }
});
