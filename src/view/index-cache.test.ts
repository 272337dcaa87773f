import assert from "node:assert/strict";
import {
  appendFileSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { evalItemLine } from "../evals/item-line.ts";
import { Run } from "../runtime/run.ts";
import { indexCachePath, readIndexCache } from "./index-cache.ts";
import { appendTornLine, writeEvalRun } from "./run-fixture.ts";
import { RunIndex } from "./run-index.ts";

/** A whole-second mtime, which `utimes` sets exactly (a file's own may have more digits). */
const pinned = new Date("2026-01-01T00:00:00Z");
const pinMtime = (dir: string) => utimesSync(join(dir, "results.jsonl"), pinned, pinned);

/** Rewrites `from` as `to` (same length) in results.jsonl, keeping its size and pinned mtime. */
function editInPlace(dir: string, from: string, to: string): void {
  assert.equal(from.length, to.length);
  const path = join(dir, "results.jsonl");
  const text = readFileSync(path, "utf8");
  assert.ok(text.includes(from), from);
  writeFileSync(path, text.replace(from, to));
  pinMtime(dir);
}

/**
 * A Symbolic-MoE-shaped eval run of 6 items (the expert × skill matrix is computed from these
 * records): mapped skills and two experts per item, with the first expert's answer and both
 * experts' correctness given.
 */
function writeRoutedRun(
  dir: string,
  answer: (i: number) => string,
  correct: (i: number) => [boolean, boolean],
): void {
  writeEvalRun(dir, {
    methods: ["symbolic-moe"],
    items: 6,
    details: (i) => ({
      mapped: i % 2 ? ["algebra"] : ["geometry", "algebra"],
      experts: ["x", i % 3 ? "y" : "x"],
      expertAnswers: [answer(i), null],
      expertCorrect: correct(i),
      expertMajorityCorrect: i % 2 === 0,
    }),
  });
}

describe("run index cache on disk", () => {
  const root = mkdtempSync(join(tmpdir(), "chorus-view-cache-"));
  const cacheDir = join(root, "cache");
  after(() => rmSync(root, { recursive: true, force: true }));
  const open = (dir: string) => new RunIndex(dir, "r", { cacheDir });
  const predictions = (index: RunIndex) => index.rows.map((r) => r.prediction);

  it("reopens an unchanged run from the cache, keyed by the files' size and mtime", () => {
    const dir = join(root, "a");
    writeEvalRun(dir, { methods: ["m"], items: 20 });
    pinMtime(dir);
    const first = open(dir);
    assert.ok(statSync(indexCachePath(cacheDir, dir)).size > 0);
    // same size and mtime: the cache is trusted without reading results.jsonl again
    editInPlace(dir, '"prediction":"answer 12"', '"prediction":"answer XY"');
    const reopened = open(dir);
    assert.deepEqual(predictions(reopened), predictions(first));
    assert.deepEqual(reopened.summary(), first.summary());
    assert.equal(new RunIndex(dir).rows[12]!.prediction, "answer XY", "uncached: the new bytes");
    // a new mtime makes it compare the bytes it covered (a small file: all of them), and the
    // edit shows; the record itself is always read from disk
    assert.match(JSON.stringify(reopened.detail(12)!.record), /answer XY/);
    utimesSync(join(dir, "results.jsonl"), new Date(), new Date());
    assert.equal(open(dir).rows[12]!.prediction, "answer XY");
  });

  it("reads only the appended lines of a run that grew, and everything of one that was replaced", () => {
    const dir = join(root, "b");
    writeEvalRun(dir, { methods: ["m", "n"], items: 40 });
    pinMtime(dir);
    const before = open(dir).rows.length;
    // an edit in the middle, outside the bytes the fingerprint covers, stays unseen: the
    // cached rows were reused and only the appended line was parsed
    editInPlace(dir, '"prediction":"answer 30"', '"prediction":"answer YZ"');
    const line = readFileSync(join(dir, "results.jsonl"), "utf8").split("\n")[0]!;
    appendFileSync(join(dir, "results.jsonl"), `${line.replace('"q0"', '"q99"')}\n`);
    const grown = open(dir);
    assert.equal(grown.rows.length, before + 1);
    assert.equal(grown.rows[30]!.prediction, "answer 30");
    assert.equal(grown.rows[before]!.itemId, "q99");
    // another run written into the same folder, larger than the cached one: indexed afresh
    rmSync(dir, { recursive: true });
    writeEvalRun(dir, { methods: ["x"], items: 90, prediction: (i) => `other ${i}` });
    const replaced = open(dir);
    assert.deepEqual(
      predictions(replaced),
      Array.from({ length: 90 }, (_, i) => `other ${i}`),
    );
    assert.equal(replaced.summary().listing.calls, 90);
    assert.deepEqual(open(dir).summary(), replaced.summary(), "the new run was cached in turn");
  });

  it("caches only complete lines of a run still being written; ignores a broken cache file", () => {
    const dir = join(root, "c");
    writeEvalRun(dir, { methods: ["m"], items: 3 });
    const line = readFileSync(join(dir, "results.jsonl"), "utf8").split("\n")[0]!;
    const late = line.replace('"q0"', '"q7"');
    appendTornLine(dir, late.slice(0, 25));
    assert.equal(open(dir).rows.length, 3);
    appendFileSync(join(dir, "results.jsonl"), `${late.slice(25)}\n`);
    const finished = open(dir);
    assert.deepEqual(
      finished.rows.map((r) => r.itemId),
      ["q0", "q1", "q2", "q7"],
    );
    const whole = readFileSync(indexCachePath(cacheDir, dir));
    // a cache file cut short (its rows are not all there), then one that is not JSON at all
    for (const broken of [
      whole.subarray(0, whole.length - 10),
      Buffer.from('{"version":3,"dir":'),
    ]) {
      writeFileSync(indexCachePath(cacheDir, dir), broken);
      assert.equal(readIndexCache(cacheDir, dir), undefined);
      assert.equal(open(dir).rows.length, 4);
      const rewritten = readIndexCache(cacheDir, dir)!;
      assert.equal(rewritten.rows().length, 4);
      assert.deepEqual(rewritten.head.ids, ["m/q0", "m/q1", "m/q2", "m/q0"], "line ids");
    }
  });

  it("gives a cached reopen the same summary, matrix, items and training data as a fresh index", () => {
    const dir = join(root, "e");
    writeRoutedRun(
      dir,
      (i) => `answer ${i}`,
      (i) => [true, i % 2 === 0],
    );
    const run = Run.resume(dir);
    run.recordItems(
      [0, 1, 2, 3, 4, 5].map((i) =>
        evalItemLine({
          id: `q${i}`,
          question: `what is ${i}?`,
          answer: `a${i}`,
          answerType: "text",
          meta: {},
        }),
      ),
    );
    run.close();
    pinMtime(dir);
    utimesSync(join(dir, "items.jsonl"), pinned, pinned);
    const fresh = new RunIndex(dir, "r");
    open(dir);
    assert.equal(readIndexCache(cacheDir, dir)?.head.expertSkills[0]?.items, 6);
    const reopened = open(dir);
    const summary = reopened.summary();
    assert.equal(summary.expertSkills?.[0]?.items, 6);
    assert.deepEqual(summary, fresh.summary());
    assert.deepEqual(reopened.training(), fresh.training());
    for (let n = 0; n < 6; n++) assert.deepEqual(reopened.detail(n), fresh.detail(n));
    assert.equal(reopened.detail(3)!.item!.question, "what is 3?");
    // and from a reopen that never asked for its rows: an item's input all the same
    assert.equal(open(dir).detail(5)!.item!.question, "what is 5?");
    // items.jsonl's spans are cached, trusted while its size and mtime hold: the same lines in
    // another order under the old mtime are read where they were
    const items = join(dir, "items.jsonl");
    const lines = readFileSync(items, "utf8").trimEnd().split("\n");
    writeFileSync(items, `${lines.toReversed().join("\n")}\n`);
    utimesSync(items, pinned, pinned);
    assert.equal(open(dir).detail(3)!.item!.question, "what is 2?", "the cached span of q3");
    assert.equal(new RunIndex(dir).detail(3)!.item!.question, "what is 3?", "uncached");
    // a new mtime: read again
    utimesSync(items, new Date(), new Date());
    assert.equal(open(dir).detail(3)!.item!.question, "what is 3?");
  });

  it("keeps the expert × skill matrix in the cache, and reads the records again when lines came", () => {
    const dir = join(root, "f");
    writeRoutedRun(
      dir,
      () => "a",
      (i) => [i % 2 === 1, true],
    );
    pinMtime(dir);
    const skills = (index: RunIndex) => index.summary().expertSkills?.[0]?.skills;
    const cachedMatrix = open(dir).summary().expertSkills;
    // a record edited under an unchanged size and mtime: the reopen's matrix is the cached one
    editInPlace(dir, '"mapped":["algebra"]', '"mapped":["algebrX"]');
    assert.deepEqual(open(dir).summary().expertSkills, cachedMatrix);
    assert.deepEqual(skills(new RunIndex(dir)), ["algebra", "geometry", "algebrX"], "uncached");
    editInPlace(dir, '"mapped":["algebrX"]', '"mapped":["algebra"]');
    // a line appended: a process that kept the routed parts while indexing, and a cached
    // reopen, which has only the matrix and reads the routed records again, agree
    const live = new RunIndex(dir);
    const line = readFileSync(join(dir, "results.jsonl"), "utf8").split("\n")[0]!;
    appendFileSync(join(dir, "results.jsonl"), `${line.replaceAll('q0"', 'q9"')}\n`);
    live.refresh();
    const grown = open(dir).summary().expertSkills;
    assert.equal(grown?.[0]?.items, 7);
    assert.equal(grown?.[0]?.cells[0]?.[0]?.recruited, 10, "x: 8 slots under algebra, 2 more");
    assert.deepEqual(live.summary().expertSkills, grown);
    assert.deepEqual(new RunIndex(dir).summary().expertSkills, grown);
    assert.deepEqual(readIndexCache(cacheDir, dir)?.head.expertSkills, grown, "cached in turn");
  });

  it("keeps text beyond ASCII as it was (the file itself is ASCII)", () => {
    const dir = join(root, "d");
    const text = (i: number) => `Zürich ${i} → 東京 🚆 "quoted" \\ \u2028`;
    writeEvalRun(dir, { methods: ["m"], items: 3, prediction: text });
    open(dir);
    const file = readFileSync(indexCachePath(cacheDir, dir));
    assert.ok(file.every((byte) => byte < 0x80));
    assert.deepEqual(predictions(open(dir)), [text(0), text(1), text(2)]);
  });
});
