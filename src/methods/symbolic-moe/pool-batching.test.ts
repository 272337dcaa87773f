import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { EvalItem } from "../../evals/eval-item.ts";
import { loadEvalMethod } from "../../evals/eval-methods.ts";
import { poolModelSource } from "../../evals/pool-model-source.ts";
import { runEval } from "../../evals/run-eval.ts";
import { ModelPool } from "../../runtime/model-pool.ts";
import { ScriptedModel } from "../../testing/scripted-model.ts";
import { type MoeProfileFile, saveProfileFile } from "./profile-store.ts";

describe("Symbolic-MoE through the runtime's pool", () => {
  it("serves a pool larger than the memory budget one model at a time, one load per recruited model", async () => {
    const dir = mkdtempSync(join(tmpdir(), "chorus-moe-pool-"));
    const files = ["e0", "e1", "e2", "e3"].map((name) => {
      const file = join(dir, `${name}.gguf`);
      writeFileSync(file, Buffer.alloc(1 << 20)); // 1 MiB each; the budget holds one
      return file;
    });
    let resident = 0;
    let maxResident = 0;
    const pool = new ModelPool({
      memoryBudgetMB: 1.5,
      resolveFile: async (ref) => ref,
      loader: async ({ name }) => {
        resident++;
        maxResident = Math.max(maxResident, resident);
        const model = new ScriptedModel({
          id: name,
          script: (request) => {
            const text = request.messages![0]!.content;
            if (text.includes("Keywords:"))
              return Array.from({ length: request.n ?? 1 }, () => "Keywords: algebra, algebra");
            return "The answer is (A)";
          },
        });
        return Object.assign(model, {
          close: async () => {
            resident--;
          },
        });
      },
    });
    const names = files.map((f) => pool.addFromFlag(f));
    const profile: MoeProfileFile = {
      version: 1,
      dataset: "toy",
      split: "validation",
      answerType: "choice",
      models: names,
      profiles: Object.fromEntries(names.map((n, i) => [n, { algebra: i + 1 }])),
      competence: Object.fromEntries(names.map((n) => [n, 0.25])),
      vocabulary: ["algebra"],
      validationAccuracy: Object.fromEntries(names.map((n) => [n, 0.5])),
      aggregator: names[3]!,
      aggregatorAccuracy: Object.fromEntries(names.map((n) => [n, 0.5])),
      items: 4,
      tau: 0.5,
      createdAt: "2026-01-01T00:00:00Z",
    };
    const profilePath = join(dir, "moe.json");
    saveProfileFile(profilePath, profile);
    const items: EvalItem[] = Array.from({ length: 12 }, (_, i) => ({
      id: `q${i}`,
      question: `Question ${i}?\n\nThe options are:\n(A) x\n(B) y`,
      answer: "A",
      answerType: "choice",
      choices: ["x", "y"],
      meta: {},
    }));
    const result = await runEval({
      methods: [await loadEvalMethod("symbolic-moe")],
      items,
      dataset: { name: "toy", split: "test", answerType: "choice" },
      models: poolModelSource(pool, names),
      options: { profiles: profilePath, k: 3 },
      seed: 3,
    });
    const experts = new Set(result.records.flatMap((r) => r.details!["experts"] as string[]));
    assert.ok(experts.size >= 3, "several experts recruited");
    // annotator (first model) + one load per recruited expert + the aggregator, never 12 × 3
    assert.ok(pool.counts.loads <= experts.size + 2, `loads ${pool.counts.loads}`);
    for (const name of experts) assert.ok(pool.counts.perModel[name]!.loads <= 2);
    assert.equal(maxResident, 1, "one model in memory at a time");
    assert.equal(result.report.methods[0]!.accuracy.mean, 1);
    await pool.close();
  });
});
