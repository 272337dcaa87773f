import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { parquetWriteBuffer } from "hyparquet-writer";
import { DataError } from "../../model/errors.ts";
import { loadDataset } from "./index.ts";
import { readDatasetRecords } from "./read-records.ts";

const dir = mkdtempSync(join(tmpdir(), "chorus-parquet-"));

test("parquet rows become records: strings, exact 64-bit ids as numbers, lists kept", async () => {
  const file = join(dir, "rows.parquet");
  writeFileSync(
    file,
    Buffer.from(
      parquetWriteBuffer({
        columnData: [
          { name: "question_id", data: [70n, 9007199254740991n], type: "INT64" },
          { name: "question", data: ["Which?", "Other?"], type: "STRING" },
          {
            name: "options",
            data: [
              ["a", "b"],
              ["c", "d", "e"],
            ],
          },
        ],
      }),
    ),
  );
  const records = await readDatasetRecords(file);
  assert.deepEqual(
    records.map((r) => [r.value, r.line, r.unit]),
    [
      [{ question_id: 70, question: "Which?", options: ["a", "b"] }, 1, "row"],
      [{ question_id: 9007199254740991, question: "Other?", options: ["c", "d", "e"] }, 2, "row"],
    ],
  );
});

test("a 64-bit integer too large for an exact number is an error, not a rounded id", async () => {
  const file = join(dir, "big.parquet");
  writeFileSync(
    file,
    Buffer.from(
      parquetWriteBuffer({
        columnData: [{ name: "id", data: [1n, 9007199254740993n], type: "INT64" }],
      }),
    ),
  );
  await assert.rejects(
    readDatasetRecords(file),
    (e: unknown) =>
      e instanceof DataError && /row 2: field "id" holds 9007199254740993/.test(e.message),
  );
  writeFileSync(join(dir, "broken.parquet"), "PAR1 not really");
  await assert.rejects(
    readDatasetRecords(join(dir, "broken.parquet")),
    /not a readable parquet file/,
  );
});

test("a user's parquet file loads like JSONL, its id field naming the items", async () => {
  const file = join(dir, "mine.parquet");
  writeFileSync(
    file,
    Buffer.from(
      parquetWriteBuffer({
        columnData: [
          { name: "id", data: ["alpha", "beta"], type: "STRING" },
          { name: "question", data: ["1+1?", "2+3?"], type: "STRING" },
          { name: "answer", data: ["2", ""], type: "STRING" },
        ],
      }),
    ),
  );
  await assert.rejects(
    loadDataset(file),
    /mine\.parquet: row 2: field "answer" must be a non-empty string/,
  );
  writeFileSync(
    file,
    Buffer.from(
      parquetWriteBuffer({
        columnData: [
          { name: "id", data: ["alpha", "beta"], type: "STRING" },
          { name: "question", data: ["1+1?", "2+3?"], type: "STRING" },
          { name: "answer", data: ["2", "5"], type: "STRING" },
        ],
      }),
    ),
  );
  assert.deepEqual(
    (await loadDataset(file)).map((i) => [i.id, i.answer]),
    [
      ["alpha", "2"],
      ["beta", "5"],
    ],
  );
});
