import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { main } from "../../cli/main.ts";
import { loadLlamaCppModel } from "../../engines/llamacpp/index.ts";
import { loadDataset } from "../../evals/datasets/index.ts";
import { loadEvalMethod } from "../../evals/eval-methods.ts";
import { staticModelSource } from "../../evals/model-source.ts";
import { runEval } from "../../evals/run-eval.ts";
import { sharedFile } from "../../evals/shared-dir.ts";
import { UsageError } from "../../model/errors.ts";
import type { LanguageModel } from "../../model/language-model.ts";
import { ScriptedModel } from "../../testing/scripted-model.ts";

const gguf = sharedFile("models", "stories260K.gguf");
// tiny budgets: the TinyStories model's output is noise, the tests check the plumbing and records
// (12 tokens cannot hold a vote, so the CLI run stops after DETECT; the harness run below goes
// through every stage with 40)
const tiny = ["max-rounds=2", "max-tokens=40", "max-reasoning-chars=24", "parse-attempts=1"];
const tinier = ["max-rounds=2", "max-tokens=12", "parse-attempts=1"];

interface Details {
  faithfulness: number;
  faithfulnessBefore: number;
  supportedFraction: number;
  judge: string;
  judgeBasis: Record<string, number>;
  changed: boolean;
  refinedText: string;
  rougeLToReference: number;
  sentences: string[];
  labels: (string | null)[];
  critiques: (string | null)[];
  calls: Record<string, { calls: number }>;
}

const inUnit = (x: number) => Number.isFinite(x) && x >= 0 && x <= 1;

describe("chorus eval mamm-refine on XSum with a real GGUF", {
  skip: gguf ? false : "shared/models not found",
}, () => {
  it("is registered, with its baselines", async () => {
    for (const name of ["mamm-refine", "dcr", "no-refine"])
      assert.equal((await loadEvalMethod(name)).name, name);
    const method = await loadEvalMethod("mamm-refine");
    assert.throws(() => method.checkOptions!({ framing: "vote" }), UsageError);
    assert.throws(() => method.checkOptions!({ "max-rounds": "0" }), UsageError);
    assert.throws(() => method.checkOptions!({ "nli-format": "hf" }), /nli-url/);
  });

  it("runs --dataset xsum --limit 1 end to end: report, faithfulness before/after, ROUGE-L", async () => {
    const dir = mkdtempSync(join(tmpdir(), "chorus-mamm-eval-"));
    const out = join(dir, "run");
    const code = await main([
      ...["eval", "mamm-refine", "--dataset", "xsum", "--limit", "1", "--model", gguf!],
      ...["--baselines", "dcr,no-refine", ...tinier.flatMap((s) => ["--set", s])],
      ...["--out", out, "--cache-dir", join(dir, "cache"), "--json"],
    ]);
    assert.equal(code, 0);
    const report = JSON.parse(readFileSync(join(out, "report.json"), "utf8"));
    assert.equal(report.items, 1);
    assert.deepEqual(
      report.methods.map((m: { method: string }) => m.method),
      ["mamm-refine", "dcr", "no-refine"],
    );
    for (const m of report.methods) assert.ok(inUnit(m.accuracy.mean), "mean faithfulness");
    assert.match(readFileSync(join(out, "report.md"), "utf8"), /\| mamm-refine \|/);
    const records = readFileSync(join(out, "results.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l).result);
    const by = (m: string) => records.find((r) => r.method === m)!;
    const [item] = await loadDataset("xsum", { limit: 1 });
    const mamm = by("mamm-refine");
    const d = mamm.details as Details;
    assert.equal(mamm.score, d.faithfulness);
    assert.ok(
      inUnit(d.faithfulness) && inUnit(d.faithfulnessBefore) && inUnit(d.rougeLToReference),
    );
    assert.equal(d.labels.length, d.sentences.length);
    assert.ok(d.calls["detect"]!.calls >= 2, "two detectors in round 1");
    assert.ok(Object.values(d.judgeBasis).reduce((a, b) => a + b, 0) >= d.sentences.length);
    // XSum's text to refine is its reference summary: unchanged → ROUGE-L 1 and the same score
    if (!d.changed) {
      assert.equal(d.rougeLToReference, 1);
      assert.equal(d.faithfulness, d.faithfulnessBefore);
      assert.equal(d.refinedText, item!.meta["reference"]);
    }
    const none = by("no-refine");
    assert.equal(none.score, d.faithfulnessBefore, "same judge, same text, same score");
    assert.equal(none.usage.reusedCalls, none.usage.calls, "its judge calls were reused");
    assert.equal(none.details.rougeLToReference, 1);
    const dcr = by("dcr").details as Details;
    assert.equal(dcr.labels.length, dcr.sentences.length);
  });
});

describe("MAMM-Refine eval method through the harness, refine path on a real GGUF", {
  skip: gguf ? false : "shared/models not found",
}, () => {
  let model: LanguageModel;
  before(async () => {
    model = await loadLlamaCppModel({ modelPath: gguf!, gpu: false });
  });
  after(async () => {
    await model?.close?.();
  });

  it("a flagged XSum sentence is critiqued, refined and reranked; the refined text is re-judged", async () => {
    // The TinyStories model cannot judge faithfulness, so a scripted first model (DETECT's final
    // say, the critique writer) flags every sentence; the GGUF is the second detector, writes and
    // reranks the refinements, and is the faithfulness judge.
    const skeptic = new ScriptedModel({
      id: "skeptic",
      script: (request) =>
        request.jsonSchema
          ? JSON.stringify({ reasoning: "Not in the article.", answer: "no" })
          : "The span is not in the article.\nThe error span: the whole sentence\nFix: drop it.",
    });
    const items = await loadDataset("xsum", { limit: 1 });
    const { records, report } = await runEval({
      methods: [await loadEvalMethod("mamm-refine"), await loadEvalMethod("no-refine")],
      items,
      dataset: { name: "xsum", split: "test", answerType: "none" },
      models: staticModelSource([skeptic, model], { judge: model.id }),
      options: Object.fromEntries(tiny.map((s) => s.split("="))),
    });
    const mamm = records.find((r) => r.method === "mamm-refine")!;
    const d = mamm.details as unknown as Details;
    assert.ok(d.labels.every((l) => l === "no"));
    assert.ok(d.critiques.every((c) => c?.includes("The error span:")));
    assert.equal(d.calls["refine"]!.calls, 2, "two refinement drafts by the GGUF");
    assert.equal(d.judge, `llm-judge:${model.id}`);
    assert.ok(inUnit(d.faithfulness) && inUnit(d.rougeLToReference));
    if (d.changed) {
      assert.notEqual(d.refinedText, items[0]!.meta["reference"]);
      assert.ok(d.rougeLToReference < 1);
    }
    const none = records.find((r) => r.method === "no-refine")!;
    assert.equal(none.score, d.faithfulnessBefore);
    assert.equal(report.methods.length, 2);
    assert.ok(report.methods[1]!.versusFirst, "paired difference to MAMM-Refine");
  });
});
