import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { Run } from "../../runtime/run.ts";
import { shippedModel } from "../shipped-models.ts";
import { utdebugVerdict } from "./utdebug-claim.ts";
import { runUtdebugDemo, utdebugSmokeSettings } from "./utdebug-demo.ts";
import { utdebugArms } from "./utdebug-methods.ts";
import { utdebugRoles } from "./utdebug-training.ts";

// The shipped abacus-1m at tiny sizes: 4 role adapters of 8 examples × 1 epoch, 2 tasks. It checks
// the plumbing (adapters from the trainer served by llama.cpp, 10 arms through the eval harness,
// the DSL harness scoring, the rule, a resume that reuses the adapters and items), not the claim.
test("runUtdebugDemo on abacus-1m at tiny sizes: four adapters, ten arms, one verdict, resumable", {
  timeout: 1_800_000,
}, async () => {
  const { path } = shippedModel("abacus-1m");
  const settings = {
    ...utdebugSmokeSettings,
    tasks: 2,
    training: { ...utdebugSmokeSettings.training, examples: 8, epochs: 1 },
  };
  const run = Run.create({
    runsDir: mkdtempSync(join(tmpdir(), "chorus-utdebug-demo-")),
    config: { test: true },
    seed: 1,
  });
  const dir = run.dir;
  try {
    const r = await runUtdebugDemo(path, settings, { evalSeed: 1, run, threads: 1 });
    assert.deepEqual(
      r.roles.map((t) => [t.role, t.steps]),
      utdebugRoles.map((role) => [role, 1]),
    );
    assert.ok(utdebugRoles.every((role) => existsSync(join(dir, "adapters", `${role}.lora.gguf`))));
    assert.equal(r.tasks, 2);
    const v = r.verdict;
    assert.deepEqual(
      Object.keys(v.pass1).sort(),
      [
        utdebugArms.noUt,
        utdebugArms.noBacktrack,
        utdebugArms.oracle,
        utdebugArms.random,
        utdebugArms.utgen,
      ].sort(),
    );
    for (const i of [
      ...Object.values(v.pass1),
      ...Object.values(v.intrinsic).map((x) => x.accAttack),
    ])
      assert.ok(i.mean >= 0 && i.mean <= 1 && i.low <= i.mean && i.mean <= i.high);
    assert.equal(v.checks.length, 4);
    assert.equal(typeof v.precondition.pass, "boolean");
  } finally {
    run.close();
  }
  const lines = readFileSync(join(dir, "results.jsonl"), "utf8").trim().split("\n");
  assert.equal(lines.length, 2 * Object.keys(utdebugArms).length);
  // a resumed run keeps its adapters and finished items: nothing trains, nothing reruns
  const resumed = Run.resume(dir);
  try {
    const again = await runUtdebugDemo(path, settings, { evalSeed: 1, run: resumed, threads: 1 });
    assert.deepEqual(
      again.verdict.pass1,
      utdebugVerdict(
        lines.map((l) => JSON.parse(l).result),
        1,
      ).pass1,
    );
  } finally {
    resumed.close();
  }
  assert.equal(
    readFileSync(join(dir, "results.jsonl"), "utf8").trim().split("\n").length,
    lines.length,
  );
});
