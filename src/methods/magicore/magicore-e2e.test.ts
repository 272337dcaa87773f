import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { main } from "../../cli/main.ts";
import { sharedFile } from "../../evals/shared-dir.ts";

const model = sharedFile("models", "stories260K.gguf");

describe("chorus eval magicore on a real GGUF", {
  skip: model ? false : "shared/models not found",
}, () => {
  it("runs gsm8k --limit 3 end to end (hard path forced) and writes the report", async () => {
    const dir = mkdtempSync(join(tmpdir(), "chorus-magicore-e2e-"));
    const out = join(dir, "run");
    // μ = 10 makes every majority "low quality" and the OR rule then sends every problem to the
    // Reviewer and Refiner, so the whole pipeline runs on the real model
    const code = await main([
      "eval",
      "magicore",
      "--dataset",
      "gsm8k",
      "--limit",
      "3",
      "--model",
      model!,
      "--set",
      "k=1",
      "--set",
      "maxTokens=8",
      "--set",
      "iterations=1",
      "--set",
      "hardRule=or",
      "--set",
      "mu=10",
      "--set",
      "sigma=1",
      "--baselines",
      "self-consistency",
      "--out",
      out,
      "--cache-dir",
      join(dir, "cache"),
      "--json",
    ]);
    assert.equal(code, 0);
    const report = JSON.parse(readFileSync(join(out, "report.json"), "utf8"));
    assert.equal(report.items, 3);
    assert.deepEqual(
      report.methods.map((m: { method: string }) => m.method),
      ["magicore", "self-consistency"],
    );
    assert.ok(existsSync(join(out, "report.md")));
    const results = readFileSync(join(out, "results.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l).result);
    const magicore = results.filter((r) => r.method === "magicore");
    assert.equal(magicore.length, 3);
    for (const r of magicore) {
      assert.equal(r.details.hard, true);
      assert.deepEqual(r.details.calls, { solver: 1, reviewer: 1, refiner: 1 });
      assert.ok(r.usage.calls >= 1 + 1 + 1);
    }
    const sc = results.filter((r) => r.method === "self-consistency");
    assert.ok(
      sc.every((r) => r.usage.reusedCalls === 1),
      "self-consistency reused the solver samples",
    );
  });
});
