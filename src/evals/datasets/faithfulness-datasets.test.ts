import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { DataError } from "../../model/errors.ts";
import { loadDataset } from "./index.ts";
import { loadTofuEval } from "./tofueval.ts";

test("NQ-Swap: substituted passage and answer by default, original on request", async () => {
  const sub = await loadDataset("nq-swap", { split: "test" });
  const org = await loadDataset("nq-swap", { split: "original" });
  assert.equal(sub.length, 4746);
  assert.equal(sub[0]!.answer, "775");
  assert.equal(org[0]!.answer, "23");
  assert.match(sub[0]!.meta["context"] as string, /contained 775 episodes/);
  assert.doesNotMatch(sub[0]!.meta["context"] as string, /<P>/);
  assert.deepEqual(sub[0]!.meta["otherAnswers"], ["23"]);
});

test("NQ-Synth: the reference's paired prompts, kept verbatim", async () => {
  const items = await loadDataset("nq-synth", { split: "test" });
  assert.equal(items.length, 1000);
  const first = items[0]!;
  assert.equal(first.answer, "Brian Urlacher");
  assert.equal(first.question, "Who wrote were going on a bear hunt ?");
  assert.match(
    first.meta["contextPrompt"] as string,
    /^We 're Going on a Bear Hunt[\s\S]*Answer:$/,
  );
  assert.equal(
    first.meta["plainPrompt"],
    "Answer the following question: \nQuestion: Who wrote were going on a bear hunt ?\nAnswer:",
  );
  assert.match(first.meta["context"] as string, /Brian Urlacher and illustrated/);
});

test("NQ-open and XSum load with their gold lists and documents", async () => {
  const open = await loadDataset("nq-open", { split: "test" });
  assert.equal(open.length, 1769);
  assert.ok((open[0]!.meta["answers"] as string[]).includes("six geese a-laying"));
  assert.equal(open[0]!.meta["context"], undefined);
  const x = await loadDataset("xsum", { split: "test" });
  assert.equal(x.length, 999, "one record has an empty article");
  assert.equal(x[0]!.id, "xsum-38295789");
  assert.match(x[0]!.meta["document"] as string, /Sodje/);
});

test("TofuEval needs source documents: a clear error without, grouping and skips with", async () => {
  await assert.rejects(
    loadDataset("tofueval", { split: "mediasum" }),
    (e: unknown) => e instanceof DataError && /documents file/.test(e.message),
  );
  const dir = mkdtempSync(join(tmpdir(), "tofu-"));
  const documentsFile = join(dir, "docs.jsonl");
  writeFileSync(
    documentsFile,
    `${JSON.stringify({ doc_id: "NPR-41366", document: "A transcript." })}\n`,
  );
  const { items, skippedWithoutSource } = await loadTofuEval({ subset: "mediasum", documentsFile });
  assert.ok(items.length > 0 && skippedWithoutSource > 0);
  const first = items[0]!;
  assert.equal(first.meta["document"], "A transcript.");
  assert.equal(first.meta["topic"], "Activities of Quds Force");
  const sentences = first.meta["sentences"] as string[];
  assert.equal(sentences.length, (first.meta["labels"] as string[]).length);
  assert.match(sentences[0]!, /^Quds Force is a branch/);
});
