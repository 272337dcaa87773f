import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { Run } from "../../runtime/run.ts";
import { shippedModel } from "../shipped-models.ts";
import { moeMethods } from "./moe-claim.ts";
import { moeSmokeSettings, runMoeDemo } from "./moe-demo.ts";

// The shipped abacus-1m at tiny sizes: 3 experts of 8 examples × 1 epoch, 2 validation and 3
// test items per skill. It checks the plumbing (LoRA adapters from the trainer served by
// llama.cpp, profiles, five methods through the harness, loads, precision, curve), not the claim.
test("runMoeDemo on abacus-1m at tiny sizes: experts, profiles, five methods, one verdict", {
  // ~30 s of CPU; the wall limit allows a box shared by many processes
  timeout: 1_800_000,
}, async () => {
  const { path } = shippedModel("abacus-1m");
  const settings = {
    ...moeSmokeSettings,
    validationPerSkill: 2,
    curveSizes: [1],
    testPerSkill: 3,
    training: { ...moeSmokeSettings.training, examples: 8, epochs: 1 },
  };
  const run = Run.create({
    runsDir: mkdtempSync(join(tmpdir(), "chorus-moe-demo-")),
    config: { test: true },
    seed: 1,
  });
  let dir = "";
  try {
    dir = run.dir;
    const r = await runMoeDemo(path, settings, { evalSeed: 1, run, threads: 1 });
    assert.deepEqual(
      r.experts.map((e) => e.name),
      ["reverse", "count", "max-sort"],
    );
    assert.ok(r.experts.every((e) => e.steps === 1));
    // the base model is strong on max and sort (98% and 97% in models/MANIFEST.md)
    assert.ok(r.generalistAccuracy.max + r.generalistAccuracy.sort >= 1, JSON.stringify(r));
    assert.equal(r.n.test, 12);
    for (const name of Object.values(moeMethods)) {
      const a = r.verdict.accuracy[name]!;
      assert.ok(a.mean >= 0 && a.mean <= 1 && a.low <= a.mean && a.mean <= a.high, name);
    }
    // one load per distinct recruited expert, from an empty pool
    assert.ok(r.loads.distinctRecruited >= 1 && r.loads.distinctRecruited <= 4);
    assert.equal(r.loads.expertPhase, r.loads.distinctRecruited);
    assert.ok(r.keywordPrecision.filtered >= r.keywordPrecision.raw);
    assert.deepEqual(
      r.curve.map((c) => c.validationPerSkill),
      [1, 2],
    );
    assert.equal(r.verdict.checks.length, 5);
  } finally {
    run.close();
  }
  // resuming a finished run retrains nothing and reruns no item: the same accuracies
  const again = Run.resume(dir);
  try {
    const stages: string[] = [];
    const r = await runMoeDemo(path, settings, {
      evalSeed: 1,
      run: again,
      threads: 1,
      onStage: (line) => stages.push(line),
    });
    assert.ok(!stages.some((line) => line.startsWith("training")), stages.join("\n"));
    assert.ok(stages.some((line) => line.startsWith("experts from")));
    assert.deepEqual(r.loads, { expertPhase: 0, distinctRecruited: 0, perInstanceWould: 36 });
  } finally {
    again.close();
  }
});
