import assert from "node:assert/strict";
import { test } from "node:test";
import { documentExamples, parseCorpus } from "./corpus.ts";

test("documentExamples: one supervised sequence per document; a too-long one names its line and the fix", () => {
  const docs = [
    { record: [1, 10, 11, 2], line: 1 },
    { record: [1, 20, 21, 22, 23, 2], line: 3 },
  ];
  assert.deepEqual(documentExamples(docs, 5), [
    { tokens: [1, 10, 11, 2], start: 1 },
    { tokens: [1, 20, 21, 22, 23, 2], start: 1 },
  ]);
  assert.throws(
    () => documentExamples(docs, 4, "c.jsonl"),
    /c\.jsonl:3: the document is 6 tokens with BOS and EOS, longer than --seq-len 4 \+ 1; raise --seq-len to at least 5/,
  );
});

test("parseCorpus: text lines pass; empty corpus, missing or empty text name the file and line", () => {
  const at = (record: unknown, line: number) => ({ record, line });
  assert.deepEqual(parseCorpus([at({ text: "a b" }, 1), at({ text: "c", id: 3 }, 4)]), [
    at("a b", 1),
    at("c", 4),
  ]);
  assert.throws(() => parseCorpus([], "c.jsonl"), /^DataError: c\.jsonl: the corpus is empty/);
  assert.throws(
    () => parseCorpus([at({ text: "a" }, 1), at({ body: "b" }, 2)], "c.jsonl"),
    /c\.jsonl:2: missing or non-string field "text"/,
  );
  assert.throws(() => parseCorpus([at({ text: 5 }, 4)], "c.jsonl"), /c\.jsonl:4: missing/);
  assert.throws(() => parseCorpus([at({ text: " " }, 7)], "c.jsonl"), /c\.jsonl:7: empty "text"/);
  assert.throws(() => parseCorpus([at(["x"], 1)], "c.jsonl"), /c\.jsonl:1: expected a JSON object/);
});
