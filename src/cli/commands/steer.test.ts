import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { runChorus } from "../../../test/support/run-chorus.ts";
import { sharedFile } from "../../evals/shared-dir.ts";

const _bin = fileURLToPath(new URL("../../../bin/chorus.js", import.meta.url));
const stories = sharedFile("models", "stories260K.gguf");
const counterfact = sharedFile("datasets", "counterfact_upcore", "cf_cluster_0.jsonl");

const chorus = runChorus;

test("chorus steer train writes steer.json and generate --steer changes the output", {
  skip: stories ? false : "shared/models not found",
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "chorus-steer-cli-"));
  try {
    const attrs = join(dir, "attrs.jsonl");
    const lines = ["Tom", "Lily", "Ben", "Sue"].flatMap((n) => [
      { attribute: "mood", text: `${n} was very happy`, label: 1 },
      { attribute: "mood", text: `${n} was very sad`, label: 0 },
    ]);
    writeFileSync(attrs, lines.map((l) => JSON.stringify(l)).join("\n"));
    const out = join(dir, "steer.json");
    const train = await chorus([
      "steer",
      "train",
      "--model",
      stories!,
      "--attributes",
      attrs,
      "--out",
      out,
      "--epochs",
      "5",
    ]);
    assert.equal(train.code, 0, train.stderr);
    const file = JSON.parse(readFileSync(out, "utf8"));
    assert.equal(file.format, "chorus-mat-steer");
    assert.equal(file.version, 1);
    assert.deepEqual(file.site, {
      layer: 2,
      positions: "all",
      module: "residual",
      collectedAt: "residual",
    });
    const args = [
      "generate",
      "--model",
      stories!,
      "--raw",
      "--max-tokens",
      "12",
      "--no-cache",
      "Lily was",
    ];
    const plain = await chorus(args);
    const steered = await chorus([...args, "--steer", out]);
    assert.equal(steered.code, 0, steered.stderr);
    assert.notEqual(steered.stdout, plain.stdout);

    const bad = join(dir, "bad.jsonl");
    writeFileSync(bad, '{"attribute": "mood", "text": "x"}\n');
    const badRun = await chorus([
      "steer",
      "train",
      "--model",
      stories!,
      "--attributes",
      bad,
      "--out",
      out,
    ]);
    assert.notEqual(badRun.code, 0);
    assert.match(badRun.stderr, /bad\.jsonl:1: .*label/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("chorus steer train --site literal applies at the o_proj input; old steer.json files still load", {
  skip: stories ? false : "shared/models not found",
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "chorus-steer-literal-"));
  try {
    const attrs = join(dir, "attrs.jsonl");
    const lines = ["Tom", "Lily", "Ben", "Sue"].flatMap((n) => [
      { attribute: "mood", text: `${n} was very happy`, label: 1 },
      { attribute: "mood", text: `${n} was very sad`, label: 0 },
    ]);
    writeFileSync(attrs, lines.map((l) => JSON.stringify(l)).join("\n"));
    const trainArgs = [
      "steer",
      "train",
      "--model",
      stories!,
      "--attributes",
      attrs,
      "--epochs",
      "5",
    ];
    const literal = join(dir, "literal.json");
    const train = await chorus([...trainArgs, "--site", "literal", "--out", literal]);
    assert.equal(train.code, 0, train.stderr);
    const file = JSON.parse(readFileSync(literal, "utf8"));
    assert.equal(file.version, 2);
    assert.deepEqual(file.site, {
      layer: 2,
      positions: "last",
      module: "o-proj-input",
      collectedAt: "residual",
    });
    const args = [
      "generate",
      "--model",
      stories!,
      "--raw",
      "--max-tokens",
      "12",
      "--no-cache",
      "Lily was",
    ];
    const plain = await chorus(args);
    assert.equal(plain.code, 0, plain.stderr);
    const steered = await chorus([...args, "--steer", literal]);
    assert.equal(steered.code, 0, steered.stderr);
    assert.notEqual(steered.stdout, plain.stdout);

    // The same vectors at the residual site (what a version-1 reader would do) steer differently.
    const asResidual = join(dir, "as-residual.json");
    const { module: _m, collectedAt: _c, ...oldSite } = file.site;
    writeFileSync(asResidual, JSON.stringify({ ...file, version: 1, site: oldSite }));
    const residual = await chorus([...args, "--steer", asResidual]);
    assert.equal(residual.code, 0, residual.stderr);
    assert.notEqual(residual.stdout, steered.stdout);

    // Training and steering at the o_proj input, every position unless asked otherwise.
    const same = join(dir, "o-proj.json");
    const sameRun = await chorus([
      ...trainArgs,
      "--site",
      "o-proj-input",
      "--layer",
      "0",
      "--out",
      same,
    ]);
    assert.equal(sameRun.code, 0, sameRun.stderr);
    assert.deepEqual(JSON.parse(readFileSync(same, "utf8")).site, {
      layer: 0,
      positions: "all",
      module: "o-proj-input",
      collectedAt: "o-proj-input",
    });
    const bad = await chorus([...trainArgs, "--site", "attention", "--out", same]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /--site must be "residual", "literal" or "o-proj-input"/);
    // Layer 0 has no residual input to read: the literal site collects there.
    const layer0 = await chorus([...trainArgs, "--site", "literal", "--layer", "0", "--out", same]);
    assert.notEqual(layer0.code, 0);
    assert.match(layer0.stderr, /steering layer 0 is out of range/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("chorus upcore select writes every item's score and prunes 10%", {
  skip: stories && counterfact ? false : "shared data not found",
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "chorus-upcore-cli-"));
  try {
    const forget = join(dir, "forget.jsonl");
    // 21 items: 0.1·(21−1) = 2 is an integer, so exactly 2 are pruned (spec §3.2).
    writeFileSync(forget, readFileSync(counterfact!, "utf8").split("\n").slice(0, 21).join("\n"));
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
