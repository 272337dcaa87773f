import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { EvalRecord } from "./eval-record.ts";
import { reportMarkdown, scoreMetric, summarize } from "./eval-report.ts";

const usage = { inputTokens: 10, outputTokens: 5, calls: 1, reusedCalls: 0 };

function record(method: string, itemId: string, gold: string, score: number): EvalRecord {
  return {
    method,
    itemId,
    prediction: "x",
    gold,
    correct: score >= 1,
    score,
    usage,
    wallMs: 100,
  };
}

const meta = (methods: string[]) => ({ dataset: "toy", split: "test", seed: 1, methods });

describe("eval report", () => {
  it("labels answer-checked scores as accuracy in percent, differences in points", () => {
    const records = [
      record("a", "1", "4", 1),
      record("a", "2", "5", 0),
      record("b", "1", "4", 1),
      record("b", "2", "5", 1),
    ];
    const report = summarize(records, meta(["a", "b"]));
    assert.equal(report.metric, "accuracy");
    const md = reportMarkdown(report);
    assert.match(md, /\| method \| accuracy % \| 95% CI \| Δ vs first \(pp\) \|/);
    assert.match(md, /\| a \| 50\.0 \|/);
    assert.match(md, /\| b \| 100\.0 \| \[100\.0, 100\.0\] \| 50\.0 \[/);
    assert.doesNotMatch(md, /mean score/);
  });

  it("labels a method's own scores (no gold answer, e.g. mean faithfulness) as mean score", () => {
    const records = [
      record("mamm-refine", "1", "", 0.75),
      record("mamm-refine", "2", "", 0.5),
      record("no-refine", "1", "", 0.5),
      record("no-refine", "2", "", 0.5),
    ];
    const report = summarize(records, meta(["mamm-refine", "no-refine"]));
    assert.equal(report.metric, "mean score");
    assert.equal(report.methods[0]!.accuracy.mean, 0.625, "report.json keeps the field name");
    const md = reportMarkdown(report);
    assert.match(md, /\| method \| mean score \| 95% CI \| Δ vs first \|/);
    assert.doesNotMatch(md, /accuracy %|\(pp\)/);
    assert.match(md, /\| mamm-refine \| 0\.625 \|/);
    assert.match(md, /\| no-refine \| 0\.500 \| \[0\.500, 0\.500\] \| -0\.125 \[/);
  });

  it("scoreMetric: 0/1 scores without gold answers, or fractional scores, are a mean score", () => {
    assert.equal(scoreMetric([{ gold: "", score: 1 }]), "mean score");
    assert.equal(scoreMetric([{ gold: "A", score: 0.5 }]), "mean score");
    assert.equal(scoreMetric([{ gold: "A", score: 0 }]), "accuracy");
    // a report.json written before the metric was recorded reads as accuracy
    const { metric: _, ...old } = summarize([record("a", "1", "4", 1)], meta(["a"]));
    assert.match(reportMarkdown(old), /accuracy %/);
  });
});
