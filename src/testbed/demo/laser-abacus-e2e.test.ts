import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { selectConditions } from "./laser-abacus-conditions.ts";
import { laserRunReport, storedResults } from "./laser-abacus-report.ts";
import { conditionDir, type LaserFullSettings, runLaserFull } from "./laser-abacus-run.ts";

const model = new URL("../../../models/abacus-1m.gguf", import.meta.url).pathname;

/** The pipeline at tiny sizes with Amendment 5's stop (the registered sizes take hours). */
const tiny: LaserFullSettings = {
  trainPerFamily: 4,
  testPerFamily: 3,
  batchSize: 4,
  samples: 2,
  pairsPerPrompt: 2,
  iterations: 1,
  alpha: 0.1,
  lr: 1e-3,
  lora: { rank: 4, alpha: 8, dropout: 0, targets: ["attn_q", "attn_v"] },
  rm: {
    trainPrompts: 3,
    samplesPerPrompt: 2,
    heldoutPrompts: 3,
    epochs: 1,
    lr: 3e-3,
    rank: 4,
    seed: 1,
    minAuroc: 0.75,
  },
  stop: [" Q:"],
};

test("abacus-1m, tiny sizes: RMs, conditions through the method's loop, skip and resume, report", async () => {
  const dir = await mkdtemp(join(tmpdir(), "chorus-laser-full-"));
  try {
    const options = {
      settings: tiny,
      evalSeed: 1,
      conditions: selectConditions("laser,ensemble,null-random", false),
      seeds: [1],
      threads: 1,
      ignorePrecondition: true,
    };
    const first = await runLaserFull(model, dir, options);
    assert.deepEqual(first.ran, ["laser/seed-1", "ensemble/seed-1", "null-random/seed-1"]);
    assert.ok(existsSync(join(dir, first.rms.rms.list.adapter)));
    assert.equal(first.rms.rms.prog.examples, 9, "3 prompts × (2 samples + gold)");
    const results = storedResults(dir);
    const laser = results.find((r) => r.condition === "laser")!;
    const ensemble = results.find((r) => r.condition === "ensemble")!;
    assert.equal(laser.train.batches, 2, "one batch per family");
    assert.equal(laser.test.length, 6);
    const answers = readFileSync(join(conditionDir(dir, "laser", 1), "test.jsonl"), "utf8");
    for (const line of answers.trim().split("\n"))
      assert.doesNotMatch(JSON.parse(line).response, /Q:/, "answers stop before a next question");
    assert.deepEqual(Object.keys(laser.train.selection.all).sort(), ["list", "prog"]);
    assert.equal(ensemble.train.totalRmCalls, 3 * laser.train.totalRmCalls);
    assert.deepEqual(Object.keys(laser.train.rmCalls), ["rm-list", "rm-prog", "rm-noise"]);
    const nullArms = results.find((r) => r.condition === "null-random")!.train.rmCalls;
    assert.deepEqual(Object.keys(nullArms), ["null-a", "null-b", "null-c"]);

    // finished ones are skipped; a test killed mid-way answers only its missing items
    const ensDir = conditionDir(dir, "ensemble", 1);
    const lines = readFileSync(join(ensDir, "test.jsonl"), "utf8").trim().split("\n");
    writeFileSync(join(ensDir, "test.jsonl"), `${lines.slice(0, 4).join("\n")}\n{"id":"torn`);
    rmSync(join(ensDir, "result.json"));
    const again = await runLaserFull(model, dir, options);
    assert.deepEqual(again.ran, ["ensemble/seed-1"]);
    assert.deepEqual(
      storedResults(dir).find((r) => r.condition === "ensemble")!.test,
      ensemble.test,
    );

    const report = laserRunReport(dir, first.rms);
    assert.ok(
      first.rms.pass
        ? ["incomplete", "NOT REPRODUCED (settled: rule 1 cannot pass)"].includes(report.verdict)
        : report.verdict === "NOT REPRODUCED (precondition failed)",
      report.verdict,
    );
    assert.ok(report.missing.includes("single-list/seed-1"));
    assert.equal(report.rule4!.ratio, 1 / 3);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("a failed RM precondition runs no loop", async () => {
  const dir = await mkdtemp(join(tmpdir(), "chorus-laser-full-"));
  try {
    const r = await runLaserFull(model, dir, {
      settings: { ...tiny, rm: { ...tiny.rm, minAuroc: 1.01 } },
      evalSeed: 1,
      conditions: selectConditions("laser", false),
      seeds: [1],
      threads: 1,
    });
    assert.equal(r.rms.pass, false);
    assert.deepEqual(r.ran, []);
    assert.equal(existsSync(join(dir, "laser")), false);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
