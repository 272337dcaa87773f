import { readFile } from "node:fs/promises";
import * as zlib from "node:zlib";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { type Compressors, parquetMetadata, parquetReadObjects } from "hyparquet";
import { DataError } from "../../model/errors.ts";
import type { SourceRecord } from "./read-records.ts";

/**
 * Reads every row of a parquet file (the hub's format for most datasets) as a record. Values
 * keep their types: strings, numbers, lists, nested objects. 64-bit integers become numbers when
 * they fit exactly (ids, answers); a larger one is a DataError rather than a rounded number.
 * Snappy pages are decoded by hyparquet; gzip and brotli by node:zlib; zstd where this Node has it.
 */
export async function readParquetRecords(file: string): Promise<SourceRecord[]> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new DataError(`cannot read dataset file: ${(error as Error).message}`, { file });
  }
  // an ArrayBuffer of exactly the file (a Buffer may be a view into a larger shared pool)
  const buffer = new Uint8Array(bytes).buffer;
  let rows: Record<string, unknown>[];
  try {
    const metadata = parquetMetadata(buffer);
    rows = await parquetReadObjects({ file: buffer, metadata, compressors: compressors() });
  } catch (error) {
    throw new DataError(`not a readable parquet file (${(error as Error).message})`, { file });
  }
  return rows.map((row, index) => {
    const record: SourceRecord = { value: {}, file, line: index + 1, unit: "row" };
    for (const [key, value] of Object.entries(row)) record.value[key] = plain(value, record, key);
    return record;
  });
}

function compressors(): Compressors {
  const zstd = (zlib as { zstdDecompressSync?: (input: Uint8Array) => Buffer }).zstdDecompressSync;
  return {
    GZIP: (input) => gunzipSync(input),
    BROTLI: (input) => brotliDecompressSync(input),
    ...(zstd ? { ZSTD: (input: Uint8Array) => zstd(input) } : {}),
  };
}

/** JSON-like values: bigint → number when exact, recursively through lists and structs. */
function plain(value: unknown, record: SourceRecord, field: string): unknown {
  if (typeof value === "bigint") {
    const number = Number(value);
    if (!Number.isSafeInteger(number))
      throw new DataError(
        `row ${record.line}: field "${field}" holds ${value}, too large for an exact number`,
        { file: record.file },
      );
    return number;
  }
  if (Array.isArray(value)) return value.map((v) => plain(v, record, field));
  if (value instanceof Uint8Array || value instanceof Date || value === null) return value;
  if (typeof value === "object" && value !== undefined) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = plain(v, record, field);
    return out;
  }
  return value;
}
