import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, test } from "node:test";
import { constants, gunzipSync, gzipSync } from "node:zlib";
import { parquetWriteBuffer } from "hyparquet-writer";
import {
  expectCleanOutcome,
  fuzzCases,
  fuzzSeed,
  mutateBytes,
  pick,
} from "../../../test/support/fuzz.ts";
import { SeededRandom } from "../../math/seeded-random.ts";
import { DataError } from "../../model/errors.ts";
import { sharedDir } from "../shared-dir.ts";
import { loadCustomFile } from "./custom-file.ts";
import type { DatasetLoader } from "./dataset-loader.ts";
import { datasetLoaders } from "./index.ts";
import { readRecords } from "./read-records.ts";

// Fuzzing dataset files: every named loader and the custom-file loader get files derived from
// the first records of the real data (shared/datasets), with fields dropped, retyped or made
// hostile, and with their bytes (compressed or not) truncated and corrupted. Each case must load
// or end in a DataError: no TypeError from a field of the wrong type, no hang, no huge allocation.

const mirror = join(sharedDir(), "datasets");
let dir: string;

/** A loader's file: the seed records (when it holds records) or its raw text. */
interface SeedFile {
  relative: string;
  records: Record<string, unknown>[] | undefined;
  text: string;
}
const seeds = new Map<DatasetLoader, SeedFile[]>();

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "chorus-dataset-fuzz-"));
  for (const loader of datasetLoaders) {
    const files: SeedFile[] = [];
    for (const relative of loader.files) {
      const path = join(mirror, relative);
      if (!existsSync(path)) continue;
      const text = headOf(path);
      // the first lines of a JSONL or CSV file; the whole of a (small) JSON array
      const head = path.endsWith(".json") ? text : text.split("\n").slice(0, 6).join("\n");
      const copy = join(dir, "seed", relative.replace(/\.gz$/, ""));
      await mkdir(dirname(copy), { recursive: true });
      await writeFile(copy, head);
      let records: Record<string, unknown>[] | undefined;
      try {
        records = readRecords(copy)
          .slice(0, 5)
          .map((r) => r.value);
      } catch {
        records = undefined;
      }
      files.push({ relative, records, text: records ? "" : head });
    }
    if (files.length > 0) seeds.set(loader, files);
  }
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The start of a (possibly gzipped) file as text: a seed needs only its first records. */
function headOf(path: string): string {
  const raw = readFileSync(path);
  if (!path.endsWith(".gz")) return raw.toString("utf8");
  // a prefix of the stream, flushed without its end: the first few hundred KiB of text
  return gunzipSync(raw.subarray(0, 64 * 1024), { finishFlush: constants.Z_SYNC_FLUSH }).toString(
    "utf8",
  );
}

/** Values a field of the wrong type may hold, including ones that break `String(value)`. */
function hostileValue(random: SeededRandom): unknown {
  return pick(random, [
    () => null,
    () => 0,
    () => -1,
    () => 1e308,
    () => 3.5,
    () => true,
    () => "",
    () => "   ",
    () => "x".repeat(random.int(5000)),
    () => "#### ",
    () => "Z",
    () => [],
    () => [null, 1, {}],
    () => [{ toString: 1 }, { valueOf: "x" }],
    () => ["a"],
    () => ({}),
    () => ({ toString: 1, valueOf: 2 }),
    () => ({ text: ["a"], label: [0] }),
    () => JSON.parse('{"__proto__": {"polluted": 1}}'),
  ])();
}

/** Records with one to three fields dropped, retyped or added. */
function mutateRecords(
  records: readonly Record<string, unknown>[],
  random: SeededRandom,
): Record<string, unknown>[] {
  const out = records.map((r) => ({ ...r }));
  const edits = 1 + random.int(3);
  for (let e = 0; e < edits; e++) {
    const record = pick(random, out);
    const keys = Object.keys(record);
    const key = keys.length > 0 && random.next() < 0.85 ? pick(random, keys) : "extra";
    if (random.next() < 0.3) delete record[key];
    else record[key] = hostileValue(random);
  }
  if (random.next() < 0.1) out.push({});
  return out;
}

function csvText(records: readonly Record<string, unknown>[], random: SeededRandom): string {
  const header = [...new Set(records.flatMap((r) => Object.keys(r)))];
  const cell = (value: unknown) => {
    const text = typeof value === "string" ? value : (JSON.stringify(value) ?? "");
    return `"${text.replaceAll('"', '""')}"`;
  };
  const rows = records.map((r) => header.map((k) => (k in r ? cell(r[k]) : "")));
  // a row with a cell missing or added
  if (random.next() < 0.2) pick(random, rows).pop();
  return [header.map(cell), ...rows].map((row) => row.join(",")).join("\n");
}

function serialize(
  relative: string,
  records: readonly Record<string, unknown>[],
  random: SeededRandom,
): Uint8Array {
  const name = relative.replace(/\.gz$/, "");
  const text = name.endsWith(".csv")
    ? csvText(records, random)
    : name.endsWith(".json") && random.next() < 0.5
      ? JSON.stringify(records)
      : records.map((r) => JSON.stringify(r)).join("\n");
  const bytes = Buffer.from(text);
  return relative.endsWith(".gz") ? gzipSync(bytes) : bytes;
}

/** One fuzzed copy of a seed file: record edits, or byte corruption of the encoded file. */
function fuzzFile(seed: SeedFile, random: SeededRandom): { bytes: Uint8Array; what: string } {
  const encoded = seed.records
    ? serialize(seed.relative, seed.records, random)
    : Buffer.from(seed.text);
  if (seed.records && random.next() < 0.6) {
    const records = mutateRecords(seed.records, random);
    return { bytes: serialize(seed.relative, records, random), what: "record edits" };
  }
  const mutant = mutateBytes(encoded, random);
  return { bytes: mutant.bytes, what: mutant.what };
}

test("the shared data gives seed files for most named datasets", () => {
  assert.ok(seeds.size >= 12, `seeds for ${[...seeds.keys()].map((l) => l.name).join(", ")}`);
});

test("fuzzed files of every named dataset load or end in a DataError", async () => {
  const seed = fuzzSeed();
  const random = new SeededRandom(seed);
  const loaders = [...seeds.keys()];
  const cases = fuzzCases(150);
  const outcomes = { ok: 0, refused: 0 };
  for (let i = 0; i < cases; i++) {
    const loader = loaders[i % loaders.length]!;
    const caseDir = join(dir, `case-${i}`);
    const whats: string[] = [];
    for (const file of seeds.get(loader)!) {
      const { bytes, what } = fuzzFile(file, random);
      whats.push(`${file.relative}: ${what}`);
      await mkdir(dirname(join(caseDir, file.relative)), { recursive: true });
      await writeFile(join(caseDir, file.relative), bytes);
    }
    const split = pick(random, loader.splits);
    const label = `seed ${seed} case ${i} ${loader.name}/${split} (${whats.join("; ")})`;
    const outcome = await expectCleanOutcome(
      label,
      () => loader.load({ split, file: (relative) => join(caseDir, relative) }),
      [DataError],
    );
    outcomes[outcome]++;
    await rm(caseDir, { recursive: true, force: true });
  }
  assert.ok(outcomes.refused > cases / 5 && outcomes.ok > 0, JSON.stringify(outcomes));
});

test("fuzzed custom files (JSONL, JSON, CSV, gzip, parquet) load or end in a DataError", async () => {
  const seed = fuzzSeed() + 1;
  const random = new SeededRandom(seed);
  const base: Record<string, unknown>[] = [
    { id: "a", question: "2+2?", answer: "4", choices: ["3", "4"], A: "3", B: "4" },
    { id: "b", question: "3+3?", answer: "B", choices: ["5", "6"], A: "5", B: "6" },
    { id: "c", question: "1+1?", answer: "2", choices: ["2", "9"], A: "2", B: "9" },
  ];
  const mappings = [{}, { choices: "choices" }, { choices: ["A", "B"] }, { id: "question" }];
  const cases = fuzzCases(150);
  for (let i = 0; i < cases; i++) {
    const extension = pick(random, [".jsonl", ".json", ".csv", ".jsonl.gz", ".parquet"]);
    const records = random.next() < 0.7 ? mutateRecords(base, random) : base;
    let bytes: Uint8Array;
    if (extension === ".parquet") {
      const columns = ["id", "question", "answer"].map((name) => ({
        name,
        data: records.map((r) => (typeof r[name] === "string" ? r[name] : null)),
      }));
      bytes = new Uint8Array(parquetWriteBuffer({ columnData: columns }));
    } else bytes = serialize(`x${extension}`, records, random);
    let what = "record edits";
    if (random.next() < 0.5) ({ bytes, what } = mutateBytes(bytes, random));
    const path = join(dir, `custom-${i}${extension}`);
    await writeFile(path, bytes);
    const mapping = pick(random, mappings);
    const label = `seed ${seed} case ${i} ${extension} ${JSON.stringify(mapping)} (${what})`;
    await expectCleanOutcome(label, () => loadCustomFile(path, mapping), [DataError]);
    await rm(path);
  }
});

test("a gzip bomb is refused before it fills memory", async () => {
  // 128 MiB of newlines in about 128 KiB: 16 gzip members of 8 MiB each
  const chunk = gzipSync(Buffer.alloc(8 * 1024 * 1024, 0x0a), { level: 9 });
  const bomb = Buffer.concat(Array.from({ length: 16 }, () => chunk));
  const path = join(dir, "bomb.jsonl.gz");
  await writeFile(path, bomb);
  await assert.rejects(loadCustomFile(path), (error: unknown) => {
    assert.ok(error instanceof DataError, String(error));
    assert.match(error.message, /larger than/);
    return true;
  });
});
