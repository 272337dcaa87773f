import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadLlamaCppModel } from "../../engines/llamacpp/index.ts";
import { Run } from "../../runtime/run.ts";
import { atlasConfig } from "../atlas/atlas-config.ts";
import { buildAtlasWorld } from "../atlas/atlas-world.ts";
import { upcoreFacts } from "../atlas/upcore-facts.ts";
import { shippedModel } from "../shipped-models.ts";
import { runUpcoreDemo, unlearnRecipes, upcoreSmokeSettings } from "./upcore-demo.ts";

// The shipped atlas-1m at tiny sizes: the ten most popular people's facts, one forget set of (at most) 8,
// GA for one epoch. It checks the plumbing (probe → k-means → selection → three unlearning runs →
// verdict) and that the trainer's greedy answers agree with the engine's, not the claim.
test("runUpcoreDemo on atlas-1m at tiny sizes: three runs from the same weights, one verdict", {
  // ~20 s of CPU; the wall limit allows a box shared by many processes
  timeout: 1_800_000,
}, async () => {
  const { path, record } = shippedModel("atlas-1m");
  const world = buildAtlasWorld(atlasConfig(record.worldConfig));
  const facts = upcoreFacts(world, 1).slice(0, 60);
  const model = await loadLlamaCppModel({ modelPath: path, threads: 1 });
  const runsDir = mkdtempSync(join(tmpdir(), "upcore-demo-"));
  const settings = {
    ...upcoreSmokeSettings,
    sizes: { forgetSets: 1, forgetCap: 8, neighbours: 3, retainEval: 3 },
    epochs: 1,
  };
  try {
    const run = Run.create({ runsDir, config: {}, seed: 1 });
    const r = await runUpcoreDemo(model, facts, { modelPath: path, evalSeed: 1, settings, run });
    run.close();
    assert.ok(r.n.known >= 48, `atlas-1m knows its head people's facts; known ${r.n.known} of 60`);
    assert.equal(r.n.groupSizes.length, 8);
    assert.equal(
      r.n.groupSizes.reduce((a, b) => a + b, 0),
      r.n.known,
    );
    const sel = r.selections[0]!;
    // the largest of 8 clusters of ≥ 48 facts has ≥ 6; spec §3.2: ⌊0.1 · (n − 1)⌋ + 1 pruned
    const n = Math.min(8, sel.groupSize);
    assert.equal(sel.forget, n);
    assert.equal(sel.pruned, Math.floor(0.1 * (n - 1)) + 1);
    assert.equal(sel.kept, n - sel.pruned);
    assert.ok(sel.varAfter < sel.varBefore);
    assert.deepEqual(
      r.runs.map((x) => [x.selection, x.trainItems]),
      [
        ["upcore", sel.kept],
        ["random", sel.kept],
        ["complete", n],
      ],
    );
    for (const run of r.runs) {
      // The engine picked facts it answers; the trainer (same weights, BOS + prompt) agrees.
      assert.ok(
        run.forgetRouge.start >= 0.85,
        `forget ROUGE at the start ${run.forgetRouge.start}`,
      );
      for (const v of Object.values(run.auc)) assert.ok(v >= 0 && v <= 1, `AUC ${v}`);
    }
    // Every run starts from the same weights (LoRA removed in between).
    assert.equal(new Set(r.runs.map((x) => x.utility.start)).size, 1);
    assert.equal(r.verdict.checks.length, 3);
    assert.equal(r.verdict.varianceDamageRho, null);
    assert.equal(r.verdict.precondition, null, "the spec recipe has no precondition");

    // Resumed from its folder, the finished unlearning runs are read back, not trained again.
    const again = Run.resume(run.dir);
    // each unlearning run's record says how its evaluations were decoded
    assert.deepEqual(
      again.results<{ evalBatch: number }>().map((x) => x.result.evalBatch),
      [32, 32, 32],
    );
    const stages: string[] = [];
    const resumed = await runUpcoreDemo(model, facts, {
      modelPath: path,
      evalSeed: 1,
      settings,
      run: again,
      onStage: (stage) => stages.push(stage),
    });
    again.close();
    assert.deepEqual(
      stages.filter((x) => x.startsWith("unlearn")),
      [],
    );
    assert.deepEqual(resumed.runs, r.runs);
  } finally {
    await model.close?.();
    rmSync(runsDir, { recursive: true, force: true });
  }
});

test("the strong recipe puts rank-4 LoRA on every block and carries its precondition", () => {
  assert.deepEqual(unlearnRecipes.strong, {
    name: "strong",
    lr: 2e-2,
    layers: "all",
    rank: 4,
    forgetThreshold: 0.5,
  });
  assert.deepEqual(unlearnRecipes.spec, { name: "spec", lr: 2e-3, layers: [2] });
});
