import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { Run } from "../../runtime/run.ts";
import { atlasConfig } from "../atlas/atlas-config.ts";
import { buildAtlasWorld } from "../atlas/atlas-world.ts";
import { shippedModel } from "../shipped-models.ts";
import { armSpecs } from "./mamm-arms.ts";
import { mammSmokeSettings, runMammDemo } from "./mamm-demo.ts";

// The shipped atlas-1m and atlas-mini at tiny sizes: five adapters of 8 pairs × 1 epoch and 3
// summaries. It checks the plumbing (adapters from the trainer served by llama.cpp, the real
// mammRefine in five arms through the harness, exact scoring, one verdict, resume), not the claim.
test("runMammDemo at tiny sizes: five adapters, five arms, records, one verdict, resume", {
  timeout: 1_800_000,
}, async () => {
  const big = shippedModel("atlas-1m");
  const mini = shippedModel("atlas-mini");
  const world = buildAtlasWorld(atlasConfig({ seed: 7 }));
  const paths = { "atlas-1m": big.path, "atlas-mini": mini.path };
  const settings = {
    summaries: 3,
    training: { ...mammSmokeSettings.training, examples: 8, epochs: 1 },
  };
  const run = Run.create({
    runsDir: mkdtempSync(join(tmpdir(), "chorus-mamm-demo-")),
    config: { test: true },
    seed: 1,
  });
  let dir = "";
  let first: unknown;
  try {
    dir = run.dir;
    const r = await runMammDemo(world, paths, settings, { evalSeed: 1, run, threads: 1 });
    assert.deepEqual(
      r.adapters.map((a) => a.name),
      ["det-1m", "det-mini", "critic", "selector", "editor"],
    );
    assert.equal(r.n.summaries, 3);
    for (const spec of armSpecs) {
      const ba = r.verdict.balancedAccuracy[spec.name]!;
      assert.ok(ba.mean >= 0 && ba.mean <= 1 && ba.low <= ba.mean && ba.mean <= ba.high, spec.name);
      const f = r.verdict.faithfulness[spec.name]!;
      assert.ok(f.mean >= 0 && f.mean <= 1, spec.name);
    }
    assert.equal(r.verdict.checks.length, 5);
    const records = readFileSync(join(dir, "results.jsonl"), "utf8").trim().split("\n");
    assert.equal(records.length, 3 * armSpecs.length);
    first = r.verdict;
  } finally {
    run.close();
  }
  // resuming a finished run retrains nothing and reruns no item: the same verdict
  const again = Run.resume(dir);
  try {
    const stages: string[] = [];
    const r = await runMammDemo(world, paths, settings, {
      evalSeed: 1,
      run: again,
      threads: 1,
      onStage: (l) => stages.push(l),
    });
    assert.ok(!stages.some((l) => l.startsWith("training")), stages.join("\n"));
    assert.ok(stages.some((l) => l.startsWith("adapters from")));
    assert.deepEqual(r.verdict, first);
  } finally {
    again.close();
  }
});
