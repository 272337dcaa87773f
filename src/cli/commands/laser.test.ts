import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { runChorus } from "../../../test/support/run-chorus.ts";
import { sharedFile } from "../../evals/shared-dir.ts";

/** `chorus laser train | eval` on stories260K with two likelihood RMs, tiny sizes. */
const stories = sharedFile("models", "stories260K.gguf");
const random = sharedFile("models", "llama-2-tiny-random.gguf");

test("chorus laser train, resume, eval (greedy and best-of-n)", {
  skip: stories && random ? false : "shared models not found",
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "chorus-laser-cli-"));
  try {
    const data = join(dir, "train.jsonl");
    const prompts = ["Once upon a time", "One day", "Tom and his dog", "The cat was"];
    writeFileSync(
      data,
      prompts
        .map((p, i) => JSON.stringify({ prompt: p, answer: "Lily", family: i < 2 ? "a" : "b" }))
        .join("\n"),
    );
    const out = join(dir, "run");
    const train = [
      "laser",
      "train",
      "--policy",
      stories!,
      "--data",
      data,
      "--rm",
      `tales=likelihood:${stories}`,
      "--rm",
      `noise=likelihood:${random}`,
      "--iterations",
      "2",
      "--batch-size",
      "2",
      "--batching",
      "by-family",
      "--samples",
      "3",
      "--max-tokens",
      "8",
      "--pairs",
      "2",
      "--lr",
      "1e-3",
      "--lora-rank",
      "4",
      "--no-eos",
      "--context-dim",
      "16",
      "--early-stop",
      "0",
      "--seed",
      "1",
      "--out",
      out,
      "--json",
    ];
    const r = await runChorus(train);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout.trim().split("\n").at(-1)!);
    assert.equal(report.batches, 4);
    assert.equal(report.totalRmCalls, 4 * 2 * 3, "one RM per batch on 2 prompts × 3 samples");
    assert.ok(existsSync(join(out, "adapter.gguf")));
    assert.equal(readFileSync(join(out, "selection.csv"), "utf8").trim().split("\n").length, 5);
    assert.match(r.stderr, /batch 4\/4 it 2/);

    // A finished run resumes to the same report without training again.
    const again = await runChorus(["laser", "train", "--resume", out, "--json"]);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(JSON.parse(again.stdout.trim().split("\n").at(-1)!).rmCalls, report.rmCalls);
    assert.doesNotMatch(again.stderr, /batch \d/);

    const greedy = await runChorus([
      "laser",
      "eval",
      "--policy",
      stories!,
      "--run",
      out,
      "--data",
      data,
      "--max-tokens",
      "8",
      "--out",
      join(dir, "eval"),
      "--json",
    ]);
    assert.equal(greedy.code, 0, greedy.stderr);
    const g = JSON.parse(greedy.stdout.trim().split("\n").at(-1)!);
    assert.equal(g.n, 4);
    assert.deepEqual(Object.keys(g.byFamily).sort(), ["a", "b"]);

    const bon = await runChorus([
      "laser",
      "eval",
      "--policy",
      stories!,
      "--data",
      data,
      "--best-of-n",
      "3",
      "--rm",
      `tales=likelihood:${stories}`,
      "--rm",
      `noise=likelihood:${random}`,
      "--strategy",
      "ensemble",
      "--max-tokens",
      "8",
      "--out",
      join(dir, "bon"),
      "--json",
    ]);
    assert.equal(bon.code, 0, bon.stderr);
    const b = JSON.parse(bon.stdout.trim().split("\n").at(-1)!);
    assert.deepEqual(b.rmCalls, {
      tales: { batches: 4, responses: 12 },
      noise: { batches: 4, responses: 12 },
    });

    const bad = await runChorus(["laser", "train", "--policy", stories!, "--data", data]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /at least one --rm/);
    const help = await runChorus(["laser", "train", "--help"]);
    assert.match(help.stdout, /Examples:[\s\S]*--strategy single:tales/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
