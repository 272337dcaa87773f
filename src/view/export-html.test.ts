import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { gunzipSync } from "node:zlib";
import { evalItemLine } from "../evals/item-line.ts";
import { sketchTree } from "../methods/pbt/test-trees.ts";
import { Run } from "../runtime/run.ts";
import { exportHtml } from "./export-html.ts";
import { dataElementId } from "./page-html.ts";
import { writeEvalRun } from "./run-fixture.ts";
import { openRuns } from "./run-folders.ts";
import type { ExportHead, RecordBlock } from "./shared/export-data.ts";
import type { ItemRow } from "./shared/view-data.ts";

/** An export's data as the page decodes it: the head, then the blocks it names. */
function embedded(html: string) {
  const blocks = new Map<string, string>();
  for (const m of html.matchAll(/<script type="application\/octet-stream" id="([^"]+)">([^<]*)</g))
    blocks.set(m[1]!, m[2]!);
  const unpack = <T>(id: string): T => {
    assert.ok(blocks.has(id), `data block ${id} present`);
    return JSON.parse(gunzipSync(Buffer.from(blocks.get(id)!, "base64")).toString("utf8"));
  };
  const head = unpack<ExportHead>(dataElementId);
  const rows = (run: string) => head.rows[run]!.flatMap((id) => unpack<ItemRow[]>(id));
  const blocksOf = (run: string) => {
    const lines: Record<number, string> = {};
    const items: Record<number, string | null> = {};
    for (const { block, from, count } of head.records[run]!) {
      const got = unpack<RecordBlock>(block);
      assert.deepEqual(
        [got.from, got.lines.length, got.calls.length, got.items.length],
        [from, count, count, count],
      );
      for (const [k, line] of got.lines.entries()) lines[from + k] = line;
      for (const [k, item] of got.items.entries()) items[from + k] = item;
    }
    return { lines, items };
  };
  return {
    head,
    rows,
    records: (run: string) => blocksOf(run).lines,
    blocksOf,
    blocks: blocks.size,
  };
}

describe("chorus view --export", () => {
  const dir = mkdtempSync(join(tmpdir(), "chorus-view-export-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  // long predictions make the records large and incompressible enough to exceed a small cap
  const noise = (i: number) => createHash("sha512").update(String(i)).digest("hex").repeat(8);
  writeEvalRun(join(dir, "r"), { methods: ["adacad"], items: 40, prediction: noise });

  it("embeds every summary and record, with a CSP that allows only its own inline script", async () => {
    const result = await exportHtml(openRuns([join(dir, "r")]), 15e6);
    assert.equal(result.kept, 40);
    assert.equal(result.dropped, "");
    const data = embedded(result.html);
    assert.deepEqual(data.head.runs[0]!.rows, [], "rows are in their own blocks");
    assert.deepEqual(
      data.rows("r").map((r) => r.n),
      Array.from({ length: 40 }, (_, n) => n),
    );
    assert.equal(Object.keys(data.records("r")).length, 40);
    assert.equal(JSON.parse(data.records("r")[3]!).result.prediction, noise(3));
    const scripts = [...result.html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    assert.equal(scripts.length, 1);
    const hash = createHash("sha256").update(scripts[0]!).digest("base64");
    assert.ok(result.html.includes(`script-src 'sha256-${hash}'`));
    assert.match(result.html, /connect-src 'none'/);
  });

  it("carries a training run's panel data in its head's summary", async () => {
    const trees = Run.create({ dir: join(dir, "pbt"), config: { demo: "pbt" } });
    trees.appendResult({
      id: "tree/train/a",
      index: 0,
      result: sketchTree("a", ["paris"], { text: "paris", answers: ["paris", "rome"] }),
    });
    trees.close();
    const runs = openRuns([trees.dir, join(dir, "r")]);
    const { head } = embedded((await exportHtml(runs, 15e6)).html);
    assert.equal(head.runs[0]!.training![0]!.kind, "pbt");
    assert.deepEqual(
      head.runs.map((r) => r.training),
      runs.map((r) => r.training()),
    );
  });

  it("drops record details past --max-mb, keeps every row, and says what it dropped", async () => {
    const full = await exportHtml(openRuns([join(dir, "r")]), 15e6);
    const cap = Buffer.byteLength(full.html) - 4_000;
    const result = await exportHtml(openRuns([join(dir, "r")]), cap);
    assert.ok(Buffer.byteLength(result.html) <= cap);
    assert.ok(result.kept > 0 && result.kept < 40, String(result.kept));
    assert.match(
      result.dropped,
      new RegExp(`details of ${40 - result.kept} of 40 result lines were dropped`),
    );
    const data = embedded(result.html);
    assert.equal(data.rows("r").length, 40);
    assert.deepEqual(
      Object.keys(data.records("r")).map(Number),
      Array.from({ length: result.kept }, (_, n) => n),
      "the first lines' records are kept",
    );
    assert.equal(data.head.dropped, result.dropped);
    await assert.rejects(exportHtml(openRuns([join(dir, "r")]), 1000), /summaries alone take/);
  });

  it("puts a large run's rows in chunks, the first small, and its records in blocks", async () => {
    const many = join(dir, "many");
    // 300 rows: a first chunk and a second; 300 records of ~5 KB: more than one 1 MB block
    const long = (i: number) => noise(i).repeat(5);
    writeEvalRun(many, { methods: ["a", "b"], items: 150, prediction: long });
    // what each item asked, for its record's detail; q7 left out
    const run = Run.resume(many);
    run.recordItems(
      Array.from({ length: 150 }, (_, i) =>
        evalItemLine({
          id: `q${i}`,
          question: `ask ${i}`,
          answer: "",
          answerType: "text",
          meta: {},
        }),
      ).filter((item) => item.id !== "q7"),
    );
    run.close();
    const result = await exportHtml(openRuns([many]), 15e6);
    const data = embedded(result.html);
    const chunks = data.head.rows["many"]!;
    assert.equal(chunks.length, 2);
    assert.equal(data.rows("many").length, 300);
    assert.deepEqual(
      data.rows("many").map((r) => r.n),
      Array.from({ length: 300 }, (_, n) => n),
    );
    const { lines, items } = data.blocksOf("many");
    assert.equal(JSON.parse(lines[299]!).result.prediction, long(149));
    // line 299 is b/q149: the items are the input's, shared by both methods' lines
    assert.equal(JSON.parse(items[299]!).question, "ask 149");
    assert.equal(JSON.parse(items[3]!).question, "ask 3");
    assert.equal(items[7], null, "an item the run did not record");
    assert.ok(data.head.records["many"]!.length >= 2, "records in more than one block");
    // head, rows, both comparisons, records
    assert.equal(data.blocks, 1 + chunks.length + 2 + data.head.records["many"]!.length);
  });
});
