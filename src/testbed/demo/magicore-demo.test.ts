import assert from "node:assert/strict";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { Run } from "../../runtime/run.ts";
import { shippedModel } from "../shipped-models.ts";
import { magicoreMethods } from "./magicore-claim.ts";
import { magicoreSmokeSettings, runMagicoreDemo } from "./magicore-demo.ts";

test("chorus demo magicore end to end at a tiny size: roles train, every method runs", async () => {
  const { path } = shippedModel("abacus-1m");
  const run = Run.create({
    runsDir: mkdtempSync(join(tmpdir(), "chorus-magicore-demo-")),
    config: {},
    seed: 1,
    argv: [],
  });
  try {
    const r = await runMagicoreDemo(
      path,
      {
        ...magicoreSmokeSettings,
        problems: 2,
        k: 2,
        training: {
          ...magicoreSmokeSettings.training,
          problems: 3,
          samplesPerProblem: 2,
          maxExamples: 8,
        },
      },
      { evalSeed: 1, run, threads: 1 },
    );
    assert.deepEqual(
      r.roles.map((x) => x.name),
      ["orm", "prm", "reviewer", "refiner"],
    );
    for (const role of r.roles) assert.ok(Number.isFinite(role.loss) && role.steps >= 1);
    for (const name of ["orm", "prm", "reviewer", "refiner"])
      assert.ok(existsSync(join(run.dir, "roles", `${name}.lora.gguf`)));
    assert.equal(r.verdict.n, 2);
    for (const name of Object.values(magicoreMethods))
      assert.ok(r.verdict.accuracy[name], `${name} was run`);
    // SC@3k draws 3k samples: more generated tokens than SC@k
    assert.ok(
      r.verdict.tokensPerProblem[magicoreMethods.sc3k]! >
        r.verdict.tokensPerProblem[magicoreMethods.sc]!,
    );
    assert.ok(r.auroc.steps > 0);
    assert.ok(existsSync(join(run.dir, "report.json")));
    assert.ok(existsSync(join(run.dir, "role-counts.json")));
  } finally {
    run.close();
  }
});
