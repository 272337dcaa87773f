import assert from "node:assert/strict";
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { appendTornLine, writeEvalRun } from "./run-fixture.ts";
import { openRuns } from "./run-folders.ts";
import { RunIndex } from "./run-index.ts";

describe("run index", () => {
  const root = mkdtempSync(join(tmpdir(), "chorus-view-index-"));
  after(() => rmSync(root, { recursive: true, force: true }));

  it("indexes every line with its columns, and reads records and calls back by line", () => {
    const dir = join(root, "a");
    const { records } = writeEvalRun(dir, { methods: ["adacad", "greedy"], items: 5 });
    const index = new RunIndex(dir);
    const summary = index.summary();
    assert.equal(summary.rows.length, 10);
    assert.equal(summary.listing.results, 10);
    assert.deepEqual(summary.listing.methods, ["adacad", "greedy"]);
    assert.equal(summary.listing.failures, 1, "the flaky item finished later; only q5 is failed");
    assert.equal(summary.failures[0]?.id, "adacad/q5");
    assert.equal(summary.listing.calls, 10);
    assert.equal(
      summary.listing.tokens,
      records.reduce((a, r) => a + r.usage.inputTokens + 5, 0),
    );
    assert.deepEqual(summary.extraColumns, ["intervened", "decoding"]);
    assert.equal(summary.report?.methods.length, 2);
    assert.match(summary.listing.models[0]!, /^tiny \(abababababab\)$/);
    const row = summary.rows[7]!;
    assert.deepEqual(
      [row.method, row.itemId, row.correct, row.score, row.tokens, row.extra["intervened"]],
      ["greedy", "q2", true, 1, 17, 0],
    );
    const detail = index.detail(7)!;
    assert.deepEqual((detail.record as { result: unknown }).result, records[7]);
    assert.equal(detail.calls.length, 1);
    assert.equal(detail.calls[0]!.latencyMs, 7);
    assert.equal(index.detail(10), undefined);
  });

  it("skips a torn last line, then extends with appended lines without re-reading", () => {
    const dir = join(root, "b");
    writeEvalRun(dir, { methods: ["m"], items: 3 });
    appendTornLine(dir);
    const index = new RunIndex(dir);
    assert.equal(index.rows.length, 3);
    const line = (i: number) =>
      `${JSON.stringify({ id: `m/x${i}`, index: 9 + i, result: { method: "m", itemId: `x${i}`, prediction: "p", gold: "g", correct: false, score: 0, usage: { inputTokens: 1, outputTokens: 1, calls: 1, reusedCalls: 0 }, wallMs: 1 } })}\n`;
    // the writer cut the torn tail on reopening, then appended whole lines
    writeFileSync(join(dir, "results.jsonl"), "");
    index.refresh();
    assert.equal(index.rows.length, 0, "a shrunk file is read again from the start");
    appendFileSync(join(dir, "results.jsonl"), line(0) + line(1));
    index.refresh();
    assert.deepEqual(
      index.rows.map((r) => r.itemId),
      ["x0", "x1"],
    );
    appendFileSync(join(dir, "results.jsonl"), line(2));
    index.refresh();
    assert.deepEqual(
      index.rows.map((r) => [r.n, r.itemId]),
      [
        [0, "x0"],
        [1, "x1"],
        [2, "x2"],
      ],
    );
    assert.equal((index.detail(2)!.record as { id: string }).id, "m/x2");
  });

  it("reads runs of other commands as generic rows, and an empty run", () => {
    const dir = join(root, "c");
    mkdirSync(dir);
    writeFileSync(
      join(dir, "config.json"),
      JSON.stringify({
        id: "c",
        createdAt: "",
        chorusVersion: "",
        nodeVersion: "",
        config: { method: "adacad" },
        models: {},
      }),
    );
    assert.equal(new RunIndex(dir).summary().rows.length, 0);
    writeFileSync(
      join(dir, "results.jsonl"),
      `${JSON.stringify({ id: "one", index: 0, result: { text: "hello", steps: 3 } })}\n`,
    );
    const [row] = new RunIndex(dir).summary().rows;
    assert.deepEqual(
      [row?.method, row?.itemId, row?.prediction, row?.extra["steps"]],
      ["adacad", "one", '{"text":"hello","steps":3}', 3],
    );
  });

  it("opens run folders and folders of runs; names clashing ids apart; refuses other folders", () => {
    const runs = openRuns([root, join(root, "a")]);
    assert.deepEqual(
      runs.map((r) => r.id),
      ["c", "b", "a", "a-2"],
    );
    assert.throws(() => openRuns([join(root, "nope")]), /no such folder/);
    const empty = join(root, "empty");
    mkdirSync(empty);
    assert.throws(() => openRuns([empty]), /not a run folder/);
  });
});
