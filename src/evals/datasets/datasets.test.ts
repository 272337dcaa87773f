import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { DataError, UsageError } from "../../model/errors.ts";
import { parseCsv } from "./csv.ts";
import { datasetLoaders, loadDataset, parseFieldMapping } from "./index.ts";

describe("built-in datasets", () => {
  const expected: Record<string, { count: number; split?: string }> = {
    gsm8k: { count: 1319 },
    math500: { count: 500 },
    svamp: { count: 1000 },
    aime24: { count: 30 },
    amc23: { count: 40 },
    mmlu: { count: 1531, split: "validation" },
    "mmlu-pro": { count: 12032, split: "all" },
    gpqa: { count: 198, split: "all" },
    medmcqa: { count: 4183, split: "all" },
  };
  // the shared reasoning sets; other helpers' loaders (code, faithfulness) test themselves
  for (const loader of datasetLoaders.filter((l) => l.name in expected)) {
    it(`${loader.name} loads every record with a gold answer`, () => {
      const want = expected[loader.name]!;
      const items = loadDataset(loader.name, want.split ? { split: want.split } : {});
      assert.equal(items.length, want.count);
      assert.equal(new Set(items.map((i) => i.id)).size, items.length, "unique ids");
      for (const item of items) {
        assert.ok(item.question.length > 0);
        assert.ok(item.answer.length > 0, `${item.id} has an answer`);
        if (item.answerType === "choice") assert.match(item.answer, /^[A-J]$/);
      }
    });
  }
  it("lists every shared reasoning set", () => {
    for (const name of Object.keys(expected))
      assert.ok(
        datasetLoaders.some((l) => l.name === name),
        name,
      );
  });
  it("parses gold answers", () => {
    assert.equal(loadDataset("gsm8k", { limit: 1 })[0]!.answer, "18");
    assert.equal(loadDataset("amc23", { limit: 1 })[0]!.answer, "27");
    const pro = loadDataset("mmlu-pro", { limit: 2 });
    assert.match(pro[0]!.question, /The options are:\n\(A\) /);
  });
  it("splits held-out validation from test without overlap", () => {
    const test = loadDataset("gpqa").map((i) => i.id);
    const validation = loadDataset("gpqa", { split: "validation" }).map((i) => i.id);
    assert.equal(test.length + validation.length, 198);
    assert.ok(validation.every((id) => !test.includes(id)));
    assert.throws(() => loadDataset("gsm8k", { split: "train" }), UsageError);
    assert.throws(() => loadDataset("no-such-set"), UsageError);
  });
});

describe("users' files", () => {
  const dir = mkdtempSync(join(tmpdir(), "chorus-ds-"));
  it("reads JSONL with a mapping and names the bad line", () => {
    const file = join(dir, "mine.jsonl");
    writeFileSync(file, '{"q":"1+1?","a":"2"}\n\n{"q":"2+2?","a":4}\n{"q":"x"}\n');
    const mapping = parseFieldMapping("question=q,answer=a");
    assert.throws(
      () => loadDataset(file, { mapping }),
      (e: unknown) =>
        e instanceof DataError && e.message.startsWith(`${file}:4: missing field "a"`),
    );
    writeFileSync(file, '{"q":"1+1?","a":"2"}\n{"q":"2+2?","a":4}\nnot json\n');
    assert.throws(() => loadDataset(file, { mapping }), /mine\.jsonl:3: not valid JSON/);
    writeFileSync(file, '{"q":"1+1?","a":"2"}\n{"q":"2+2?","a":4}\n');
    const items = loadDataset(file, { mapping });
    assert.deepEqual(
      items.map((i) => [i.id, i.question, i.answer]),
      [
        ["mine-0", "1+1?", "2"],
        ["mine-1", "2+2?", "4"],
      ],
    );
  });
  it("reads gzipped CSV with choice columns and answers given as option text", () => {
    const file = join(dir, "mc.csv.gz");
    const csv = 'question,o1,o2,gold\n"Pick, one","x","y",y\nSecond?,"multi\nline",z,A\n';
    writeFileSync(file, gzipSync(csv));
    const items = loadDataset(file, { mapping: parseFieldMapping("choices=o1|o2,answer=gold") });
    assert.deepEqual(
      items.map((i) => i.answer),
      ["B", "A"],
    );
    assert.equal(items[1]!.choices![0], "multi\nline");
    writeFileSync(file, gzipSync("question,o1,o2,gold\nok,x,y,A\nbad,x,y\n"));
    assert.throws(
      () => loadDataset(file, { mapping: parseFieldMapping("choices=o1|o2,answer=gold") }),
      /mc\.csv\.gz:3: expected 4 cells/,
    );
  });
  it("reads a JSON array and names the bad element", () => {
    const file = join(dir, "arr.json");
    writeFileSync(file, JSON.stringify([{ question: "a", answer: "1" }, { question: "b" }]));
    assert.throws(() => loadDataset(file), /arr\.json: element 2: missing field "answer"/);
  });
  it("CSV rows keep their starting line", () => {
    const rows = parseCsv('a,b\n"1\n2",3\n4,5');
    assert.deepEqual(
      rows.map((r) => r.line),
      [1, 2, 4],
    );
  });
});
