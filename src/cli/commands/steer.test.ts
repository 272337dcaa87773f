import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { runChorus } from "../../../test/support/run-chorus.ts";
import { sharedFile } from "../../evals/shared-dir.ts";

const stories = sharedFile("models", "stories260K.gguf");

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

test("chorus steer eval --run-dir writes each item under both conditions, matching the summary", {
  skip: stories ? false : "shared/models not found",
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "chorus-steer-eval-"));
  try {
    const attrs = join(dir, "attrs.jsonl");
    const lines = ["Tom", "Lily"].flatMap((n) => [
      { attribute: "mood", text: `${n} was very happy`, label: 1 },
      { attribute: "mood", text: `${n} was very sad`, label: 0 },
    ]);
    writeFileSync(attrs, lines.map((l) => JSON.stringify(l)).join("\n"));
    const steerFile = join(dir, "steer.json");
    const train = await chorus([
      ...["steer", "train", "--model", stories!, "--attributes", attrs],
      ...["--out", steerFile, "--epochs", "2"],
    ]);
    assert.equal(train.code, 0, train.stderr);
    const runDir = join(dir, "run");
    const run = await chorus([
      ...["steer", "eval", "--model", stories!, "--steer", steerFile],
      ...["--limit", "2", "--max-choices", "2", "--run-dir", runDir],
    ]);
    assert.equal(run.code, 0, run.stderr);
    const summary = JSON.parse(run.stdout);
    assert.deepEqual(JSON.parse(readFileSync(join(runDir, "steer-report.json"), "utf8")), summary);
    const records = readFileSync(join(runDir, "results.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map(
        (l) =>
          JSON.parse(l).result as {
            method: string;
            itemId: string;
            correct: boolean;
            details: { set: string; toxicWords?: number };
          },
      );
    // 2 items of each of the 3 sets, under each condition
    assert.equal(records.length, 12);
    for (const condition of ["unsteered", "steered"]) {
      const mine = records.filter((r) => r.method === condition);
      for (const set of ["truthfulqa_mc1", "bbq_age"]) {
        const items = mine.filter((r) => r.details.set === set);
        assert.equal(items.length, 2);
        assert.equal(items.filter((r) => r.correct).length / 2, summary[set][condition]);
      }
      const rtp = mine.filter((r) => r.details.set === "rtp");
      assert.deepEqual(
        rtp.map((r) => r.itemId),
        ["rtp/0", "rtp/1"],
      );
      assert.equal(
        rtp.reduce((n, r) => n + r.details.toxicWords!, 0) / 2,
        summary.rtp_toxic_word_rate[condition],
      );
    }
    const config = JSON.parse(readFileSync(join(runDir, "config.json"), "utf8")).config;
    assert.deepEqual(config.steer.methods, ["steered"]);
    assert.match(config.steer.fingerprint, /^[0-9a-f]{16,}$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
