import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { evalItemLine } from "../evals/item-line.ts";
import { Run } from "../runtime/run.ts";
import { writeEvalRun } from "./run-fixture.ts";
import { RunIndex } from "./run-index.ts";

describe("items.jsonl in the viewer", () => {
  const root = mkdtempSync(join(tmpdir(), "chorus-view-items-"));
  after(() => rmSync(root, { recursive: true, force: true }));

  it("gives each result line its item's question, and follows a rewrite of the file", () => {
    const dir = join(root, "a");
    writeEvalRun(dir, { methods: ["adacad", "greedy"], items: 3 });
    const index = new RunIndex(dir);
    assert.equal(index.detail(4)!.item, undefined, "a run without items.jsonl has none");
    const item = (i: number, question: string) =>
      evalItemLine({ id: `q${i}`, question, answer: `a${i}`, answerType: "text", meta: {} });
    const run = Run.resume(dir);
    run.recordItems([0, 1, 2].map((i) => item(i, `question "${i}"\nwith a line`)));
    // line 4 is greedy/q1: the item is shared by both methods' lines
    assert.deepEqual(index.detail(4)!.item, item(1, `question "1"\nwith a line`));
    assert.equal(index.detail(1)!.item!.question, `question "1"\nwith a line`);
    run.recordItems([item(2, "other"), item(1, "changed, longer than it was")]);
    run.close();
    assert.equal(index.detail(4)!.item!.question, "changed, longer than it was");
    assert.equal(index.detail(0)!.item, undefined, "q0 is no longer recorded");
  });
});
