import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { DataError, UsageError } from "../../model/errors.ts";
import { sharedFile } from "../shared-dir.ts";
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
    "truthfulqa-mc1": { count: 790, split: "all" },
    bbq: { count: 11956 },
  };
  // the shared reasoning sets; other helpers' loaders (code, faithfulness) test themselves
  for (const loader of datasetLoaders.filter((l) => l.name in expected)) {
    it(`${loader.name} loads every record with a gold answer`, async () => {
      const want = expected[loader.name]!;
      const items = await loadDataset(loader.name, want.split ? { split: want.split } : {});
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
  it("parses gold answers", async () => {
    assert.equal((await loadDataset("gsm8k", { limit: 1 }))[0]!.answer, "18");
    assert.equal((await loadDataset("amc23", { limit: 1 }))[0]!.answer, "27");
    const pro = await loadDataset("mmlu-pro", { limit: 2 });
    assert.match(pro[0]!.question, /The options are:\n\(A\) /);
  });
  it("splits held-out validation from test without overlap", async () => {
    const test = (await loadDataset("gpqa")).map((i) => i.id);
    const validation = (await loadDataset("gpqa", { split: "validation" })).map((i) => i.id);
    assert.equal(test.length + validation.length, 198);
    assert.ok(validation.every((id) => !test.includes(id)));
    await assert.rejects(loadDataset("gsm8k", { split: "train" }), UsageError);
    await assert.rejects(loadDataset("no-such-set"), UsageError);
  });
});

describe("steering datasets", () => {
  it("TruthfulQA MC1: seeded shuffle, exactly one correct letter, gold no longer always A", async () => {
    const items = await loadDataset("truthfulqa-mc1", { split: "all" });
    const raw = JSON.parse(
      readFileSync(sharedFile("datasets", "truthfulqa", "mc_task.json")!, "utf8"),
    ) as { mc1_targets: Record<string, number> }[];
    const atA = items.filter((i) => i.answer === "A").length;
    for (const [i, item] of items.entries()) {
      const targets = Object.entries(raw[i]!.mc1_targets);
      const correct = targets.filter(([, label]) => label === 1).map(([text]) => text);
      assert.equal(correct.length, 1);
      assert.deepEqual([...item.choices!].sort(), targets.map(([text]) => text).sort());
      const letters = item.choices!.map((_, j) => String.fromCharCode(65 + j));
      const gold = item.choices!.flatMap((c, j) => (correct.includes(c) ? [letters[j]] : []));
      assert.deepEqual(gold, [item.answer], item.id);
      assert.match(item.question, new RegExp(`\\(${item.answer}\\) `));
    }
    // the file lists the true answer first; after the shuffle about 1/k of the golds are at A
    assert.ok(atA < items.length * 0.4, `${atA} of ${items.length} at A`);
    // stable across loads, and test/validation are disjoint
    assert.deepEqual(await loadDataset("truthfulqa-mc1", { split: "all" }), items);
    const test = (await loadDataset("truthfulqa-mc1")).map((i) => i.id);
    const validation = new Set(
      (await loadDataset("truthfulqa-mc1", { split: "validation" })).map((i) => i.id),
    );
    assert.equal(test.length + validation.size, 790);
    assert.ok(test.every((id) => !validation.has(id)));
  });
  it("BBQ: one split per shared category with the MANIFEST counts, letters A-C", async () => {
    const counts: Record<string, number> = {
      Age: 3680,
      Disability_status: 1556,
      Nationality: 3080,
      Physical_appearance: 1576,
      Religion: 1200,
      Sexual_orientation: 864,
    };
    for (const [category, count] of Object.entries(counts)) {
      const items = await loadDataset("bbq", { split: category });
      assert.equal(items.length, count, category);
      assert.ok(items.every((i) => i.choices!.length === 3 && /^[ABC]$/.test(i.answer)));
      assert.ok(items.every((i) => i.meta.category === category));
    }
    const first = (await loadDataset("bbq", { split: "Age", limit: 1 }))[0]!;
    assert.match(first.question, /The options are:\n\(A\) .*\n\(B\) .*\n\(C\) /);
  });
});

describe("users' files", () => {
  const dir = mkdtempSync(join(tmpdir(), "chorus-ds-"));
  it("reads JSONL with a mapping and names the bad line", async () => {
    const file = join(dir, "mine.jsonl");
    writeFileSync(file, '{"q":"1+1?","a":"2"}\n\n{"q":"2+2?","a":4}\n{"q":"x"}\n');
    const mapping = parseFieldMapping("question=q,answer=a");
    await assert.rejects(
      loadDataset(file, { mapping }),
      (e: unknown) =>
        e instanceof DataError && e.message.startsWith(`${file}:4: missing field "a"`),
    );
    writeFileSync(file, '{"q":"1+1?","a":"2"}\n{"q":"2+2?","a":4}\nnot json\n');
    await assert.rejects(loadDataset(file, { mapping }), /mine\.jsonl:3: not valid JSON/);
    writeFileSync(file, '{"q":"1+1?","a":"2"}\n{"q":"2+2?","a":4}\n');
    const items = await loadDataset(file, { mapping });
    assert.deepEqual(
      items.map((i) => [i.id, i.question, i.answer]),
      [
        ["mine-0", "1+1?", "2"],
        ["mine-1", "2+2?", "4"],
      ],
    );
  });
  it("names items by the file's own id field without a mapping", async () => {
    const file = join(dir, "ids.jsonl");
    writeFileSync(
      file,
      '{"id":"q-17","question":"1+1?","answer":"2"}\n{"id":42,"question":"2+2?","answer":"4"}\n',
    );
    assert.deepEqual(
      (await loadDataset(file)).map((i) => i.id),
      ["q-17", "42"],
    );
    // --field id=... still wins, and a file without ids keeps the file-and-index names
    const mapped = await loadDataset(file, { mapping: parseFieldMapping("id=question") });
    assert.deepEqual(
      mapped.map((i) => i.id),
      ["1+1?", "2+2?"],
    );
    writeFileSync(file, '{"id":"a","question":"x","answer":"1"}\n{"question":"y","answer":"2"}\n');
    await assert.rejects(loadDataset(file), /ids\.jsonl:2: missing field "id"/);
    writeFileSync(
      file,
      '{"id":"a","question":"x","answer":"1"}\n{"id":"a","question":"y","answer":"2"}\n',
    );
    await assert.rejects(loadDataset(file), /duplicate id "a"/);
  });
  it("reads gzipped CSV with choice columns and answers given as option text", async () => {
    const file = join(dir, "mc.csv.gz");
    const csv = 'question,o1,o2,gold\n"Pick, one","x","y",y\nSecond?,"multi\nline",z,A\n';
    writeFileSync(file, gzipSync(csv));
    const items = await loadDataset(file, {
      mapping: parseFieldMapping("choices=o1|o2,answer=gold"),
    });
    assert.deepEqual(
      items.map((i) => i.answer),
      ["B", "A"],
    );
    assert.equal(items[1]!.choices![0], "multi\nline");
    writeFileSync(file, gzipSync("question,o1,o2,gold\nok,x,y,A\nbad,x,y\n"));
    await assert.rejects(
      loadDataset(file, { mapping: parseFieldMapping("choices=o1|o2,answer=gold") }),
      /mc\.csv\.gz:3: expected 4 cells/,
    );
  });
  it("reads a JSON array and names the bad element", async () => {
    const file = join(dir, "arr.json");
    writeFileSync(file, JSON.stringify([{ question: "a", answer: "1" }, { question: "b" }]));
    await assert.rejects(loadDataset(file), /arr\.json: element 2: missing field "answer"/);
  });
  it("CSV rows keep their starting line", () => {
    const rows = parseCsv('a,b\n"1\n2",3\n4,5');
    assert.deepEqual(
      rows.map((r) => r.line),
      [1, 2, 4],
    );
  });
});
