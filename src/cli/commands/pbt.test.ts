import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { runChorus } from "../../../test/support/run-chorus.ts";
import { sharedFile } from "../../evals/shared-dir.ts";

const stories = sharedFile("models", "stories260K.gguf");

test("chorus pbt: four subcommands, each --help with examples", async () => {
  const top = await runChorus(["pbt", "--help"]);
  assert.equal(top.code, 0, top.stderr);
  for (const sub of ["trees", "pairs", "train", "eval"]) {
    assert.match(top.stdout, new RegExp(`\\b${sub}\\b`));
    const r = await runChorus(["pbt", sub, "--help"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Examples:\n {2}(#|\$ chorus pbt)/);
  }
});

test("a model that never answers in the extractable form: counts and clear messages, no empty files", {
  skip: stories ? false : "shared/models not found",
  timeout: 400_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "chorus-pbt-cli-"));
  try {
    const questions = join(dir, "q.jsonl");
    writeFileSync(
      questions,
      [
        { id: "a", question: "which job does zatu ma have ?", answer: "chef" },
        { id: "b", question: "zatu ma has which pet ?", answers: ["goldfish"] },
        { question: "Who wrote Hamlet?", answer: { normalized_aliases: ["shakespeare"] } },
      ]
        .map((r) => JSON.stringify(r))
        .join("\n"),
    );
    const trees = join(dir, "trees");
    // stories260K tells stories: the exact transcript extractor finds no answer anywhere (two
    // turns per branch keep the five CLI processes quick on a loaded box).
    const r = await runChorus([
      "pbt",
      "trees",
      "--model",
      stories!,
      "--questions",
      questions,
      "--format",
      "transcript",
      "--out",
      trees,
      "--no-cache",
      "--seed",
      "1",
      "--max-turns",
      "2",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout.trim().split("\n").at(-1)!);
    assert.equal(summary.trees, 3);
    assert.equal(summary.noAnswer, summary.nodes);
    assert.match(r.stderr, /no turn had an extractable answer \(\d+ turns\).*check --format/);
    const out = join(dir, "pairs");
    const p = await runChorus(["pbt", "pairs", "--trees", trees, "--out", out]);
    assert.notEqual(p.code, 0);
    assert.match(
      p.stderr,
      /no balanced training pairs from 2 training trees: 0 accept and 0 resist pairs \(\d+ sibling comparisons/,
    );
    assert.throws(
      () => readFileSync(join(out, "train-pbt.jsonl")),
      "no empty pair files are written",
    );

    const empty = join(dir, "empty");
    mkdirSync(empty);
    writeFileSync(
      join(empty, "config.json"),
      JSON.stringify({ id: "x", config: { format: "chat" } }),
    );
    const e = await runChorus(["pbt", "pairs", "--trees", empty, "--out", join(dir, "p2")]);
    assert.notEqual(e.code, 0);
    assert.match(e.stderr, /no trees in .*results\.jsonl: run chorus pbt trees first/);
    const v = await runChorus([
      "pbt",
      "train",
      "--model",
      stories!,
      "--pairs",
      out,
      "--variant",
      "both",
      "--out",
      join(dir, "a.gguf"),
    ]);
    assert.equal(v.code, 2);
    assert.match(v.stderr, /--variant must be one of pbt, accept-only, resist-only/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
