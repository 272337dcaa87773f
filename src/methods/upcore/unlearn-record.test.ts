import assert from "node:assert/strict";
import { test } from "node:test";
import type { UnlearnReport } from "./unlearn.ts";
import { headlineUtility, unlearnResult } from "./unlearn-record.ts";

const point = (epoch: number, forgetRouge: number, retain: number, modelUtility?: number) => ({
  epoch,
  forgetRouge,
  utility: { retain },
  metrics: {},
  ...(modelUtility !== undefined ? { modelUtility } : {}),
});

const report = (withMu: boolean): UnlearnReport => ({
  method: "npo",
  trainItems: 9,
  lora: { rank: 4, alpha: 8, layers: [1], targets: ["ffn_down"] },
  evalSets: {},
  points: [
    point(0, 0.8, 0.7, withMu ? 0.6 : undefined),
    point(1, 0.2, 0.5, withMu ? 0.4 : undefined),
  ],
  auc: withMu ? { retain: 0.36, modelUtility: 0.3 } : { retain: 0.36 },
});

test("a selection's record: the headline AUC as score, start/end scalars, the report's method renamed", () => {
  const r = unlearnResult("upcore", report(true), 10);
  assert.equal(r.method, "unlearn");
  assert.equal(r.itemId, "upcore");
  assert.equal(r.score, 0.3);
  assert.equal(r.prediction, "AUC 0.3000 (modelUtility)");
  const d = r.details;
  assert.equal(d["unlearnMethod"], "npo");
  assert.equal("method" in d, false, "the report's method would clash with the record's");
  assert.deepEqual(
    [d["forgetRougeStart"], d["forgetRougeEnd"], d["utilityStart"], d["utilityEnd"]],
    [0.8, 0.2, 0.6, 0.4],
  );
  assert.equal(d["epochs"], 1);
  assert.deepEqual(d["auc"], { retain: 0.36, modelUtility: 0.3 });
});

test("without Model Utility the first utility set's ROUGE is the headline", () => {
  assert.equal(headlineUtility(report(false)), "retain");
  const r = unlearnResult("full", report(false), 10);
  assert.equal(r.score, 0.36);
  assert.equal(r.details["utilityEnd"], 0.5);
  assert.equal(headlineUtility({ auc: {} }), undefined);
  assert.equal(unlearnResult("full", { ...report(false), auc: {} }, 10).score, null);
});
