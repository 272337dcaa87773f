import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { runChorus } from "../../../test/support/run-chorus.ts";
import { sharedFile } from "../../evals/shared-dir.ts";

/** `chorus upcore select` and `chorus unlearn`: tiny runs on stories260K and CounterFact. */
const stories = sharedFile("models", "stories260K.gguf");
const counterfact = sharedFile("datasets", "counterfact_upcore", "cf_cluster_0.jsonl");
const tofu = sharedFile("datasets", "tofu_eval_sets", "real_authors_perturbed.json");

const chorus = runChorus;

/**
 * The first 21 CounterFact items as a forget file in `dir`: 0.1·(21−1) = 2 is an integer, so
 * exactly 2 are pruned (spec §3.2).
 */
function writeForget21(dir: string): string {
  const forget = join(dir, "forget.jsonl");
  writeFileSync(forget, readFileSync(counterfact!, "utf8").split("\n").slice(0, 21).join("\n"));
  return forget;
}

test("chorus upcore select --detector lof prunes 10% by LOF", {
  skip: stories && counterfact ? false : "shared data not found",
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "chorus-upcore-lof-"));
  try {
    const forget = writeForget21(dir);
    const out = join(dir, "selection.json");
    const r = await chorus([
      "upcore",
      "select",
      "--model",
      stories!,
      "--forget",
      forget,
      "--detector",
      "lof",
      "--out",
      out,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const selection = JSON.parse(readFileSync(out, "utf8"));
    assert.equal(selection.detector, "lof");
    assert.equal(selection.items.filter((i: { pruned: boolean }) => i.pruned).length, 2);
    assert.ok(selection.items.every((i: { score: number }) => i.score < 0));
    const bad = await chorus([
      "upcore",
      "select",
      "--model",
      stories!,
      "--forget",
      forget,
      "--detector",
      "svm",
      "--out",
      out,
    ]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--detector must be one of iforest, lof, pca-mahalanobis/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("chorus unlearn with named sets reports gen_acc, Prob., Truth Ratio, Model Utility and its AUC", {
  skip: stories && counterfact && tofu ? false : "shared data not found",
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "chorus-unlearn-named-"));
  try {
    const report = join(dir, "report.json");
    const u = await chorus([
      "unlearn",
      "--model",
      stories!,
      "--method",
      "refusal",
      "--forget",
      "counterfact:0",
      "--retain",
      "counterfact:0:neigh",
      "--eval",
      "parap,jailbreak,outliers,nneigh,real-authors,world-facts",
      "--limit",
      "3",
      "--selection",
      "full",
      "--epochs",
      "1",
      "--max-new-tokens",
      "2",
      "--rank",
      "2",
      "--layers",
      "1,3",
      "--targets",
      "ffn_down,up_proj",
      "--out",
      report,
    ]);
    assert.equal(u.code, 0, u.stderr);
    const body = JSON.parse(readFileSync(report, "utf8"));
    assert.deepEqual(body.lora, {
      rank: 2,
      alpha: 4,
      layers: [1, 3],
      targets: ["ffn_down", "up_proj"],
    });
    assert.equal(body.forgetItems, 3);
    assert.equal(body.data.refusalCount, 100, "refusals come from tofu:idontknow");
    assert.equal(body.points.length, 2);
    const start = body.points[0];
    for (const name of ["forget", "parap", "jailbreak", "retain", "nneigh", "real-authors"]) {
      const m = start.metrics[name];
      assert.equal(m.items, 3, name);
      for (const key of ["rouge", "genAcc", "prob", "truthRatio"])
        assert.ok(m[key] >= 0 && m[key] <= 1, `${name}.${key} = ${m[key]}`);
    }
    assert.deepEqual(Object.keys(start.utility), [
      "retain",
      "nneigh",
      "real-authors",
      "world-facts",
    ]);
    assert.equal(body.modelUtilityComponents.length, 9);
    assert.ok(Number.isFinite(start.modelUtility));
    assert.deepEqual(Object.keys(body.auc).sort(), [
      "modelUtility",
      "nneigh",
      "real-authors",
      "retain",
      "world-facts",
    ]);
    assert.match(body.evalSets.retain.truthRatio, /no paraphrased_answer/);
    // "outliers" = the points the forest prunes from these 3 (at most ⌊0.1·2⌋ + 1 = 1; tied
    // scores of a 3-point forest can prune none): forget-side, no AUC
    assert.ok(start.metrics.outliers.items <= 1);
    assert.ok(!("outliers" in body.auc));
    assert.equal(body.evalSets.outliers.role, "forget");
    assert.equal(body.evalSets.parap.role, "forget");

    const bad = join(dir, "bad.jsonl");
    writeFileSync(bad, '{"question": "Q", "answer": "A"}\n{"question": "Q2"}\n');
    const data = await chorus([
      "unlearn",
      "--model",
      stories!,
      "--method",
      "ga",
      "--forget",
      bad,
      "--retain",
      bad,
      "--out",
      report,
    ]);
    assert.equal(data.code, 1);
    assert.match(data.stderr, /bad\.jsonl:2: missing field "answer"/);
    const usage = await chorus([
      "unlearn",
      "--model",
      stories!,
      "--method",
      "ga",
      "--forget",
      bad,
      "--retain",
      bad,
      "--eval",
      "parap",
      "--out",
      report,
    ]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--eval parap needs --forget counterfact:<k>/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("chorus upcore select writes every item's score and prunes 10%", {
  skip: stories && counterfact ? false : "shared data not found",
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "chorus-upcore-cli-"));
  try {
    const forget = writeForget21(dir);
    const out = join(dir, "selection.json");
    const r = await chorus([
      "upcore",
      "select",
      "--model",
      stories!,
      "--forget",
      forget,
      "--out",
      out,
      "--save-features",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const selection = JSON.parse(readFileSync(out, "utf8"));
    assert.equal(selection.items.length, 21);
    assert.equal(selection.items.filter((i: { pruned: boolean }) => i.pruned).length, 2);
    assert.equal(selection.items[0].features.length, 64);
    assert.ok(selection.varAfter < selection.varBefore);
    const retain = join(dir, "retain.jsonl");
    writeFileSync(retain, readFileSync(counterfact!, "utf8").split("\n").slice(30, 33).join("\n"));
    const report = join(dir, "report.json");
    const u = await chorus([
      "unlearn",
      "--model",
      stories!,
      "--method",
      "ga",
      "--forget",
      forget,
      "--retain",
      retain,
      "--selection",
      "random",
      "--selection-file",
      out,
      "--epochs",
      "1",
      "--max-new-tokens",
      "2",
      "--out",
      report,
    ]);
    assert.equal(u.code, 0, u.stderr);
    const body = JSON.parse(readFileSync(report, "utf8"));
    assert.equal(body.trainItems, 19);
    assert.equal(body.points.length, 2);
    assert.ok(Number.isFinite(body.auc.retain));
    const usage = await chorus([
      "unlearn",
      "--model",
      stories!,
      "--method",
      "xx",
      "--forget",
      forget,
      "--retain",
      forget,
      "--out",
      join(dir, "r.json"),
    ]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--method must be one of ga, gd, refusal, npo/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
