import { constants } from "node:buffer";
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { DataError } from "../../model/errors.ts";
import { parseCsv } from "./csv.ts";
import { readParquetRecords } from "./parquet-records.ts";

/** A raw record and where it came from, for error messages. */
export interface SourceRecord {
  value: Record<string, unknown>;
  file: string;
  /** 1-based line for JSONL and CSV; for a JSON array or parquet file, the 1-based element or row. */
  line: number;
  /** "line", "element" or "row", so messages say which. */
  unit: "line" | "element" | "row";
}

/**
 * Every record of a dataset file: parquet (the hub's usual format) or anything `readRecords`
 * reads. Named datasets load through this, so a hub file and a mirror's copy get the same checks.
 */
export async function readDatasetRecords(file: string): Promise<SourceRecord[]> {
  if (file.endsWith(".parquet")) return readParquetRecords(file);
  return readRecords(file);
}

/**
 * Reads every record of a `.jsonl`, `.json` (array, or JSON Lines under a .json name), or `.csv`
 * file, each optionally `.gz`-compressed. JSONL splits on "\n" only (some texts hold U+2028).
 * @throws DataError with file and line for a line that is not a JSON object or a CSV row whose
 *   cell count differs from the header.
 */
export function readRecords(file: string): SourceRecord[] {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new DataError(`cannot read dataset file: ${(error as Error).message}`, { file });
  }
  const gz = file.endsWith(".gz");
  const text = datasetText(bytes, file);
  const name = gz ? file.slice(0, -3) : file;
  if (name.endsWith(".csv")) return csvRecords(text, file);
  if (name.endsWith(".json") && text.trimStart().startsWith("["))
    return jsonArrayRecords(text, file);
  if (name.endsWith(".jsonl") || name.endsWith(".json")) return jsonlRecords(text, file);
  throw new DataError(
    "unknown dataset file type; use .jsonl, .json, .csv (optionally .gz) or .parquet",
    {
      file,
    },
  );
}

/**
 * Gzip may expand a file a thousandfold; real text compresses about 3-20x. Decompression stops
 * at this many times the compressed size (at least 64 MiB), so a gzip bomb is refused early.
 */
const maxExpansion = 100;

/**
 * The file's text, decompressed when it ends in `.gz`.
 * @throws DataError for a corrupt gzip stream, a gzip bomb, or text longer than one JS string.
 */
export function datasetText(bytes: Buffer, file: string): string {
  const limit = constants.MAX_STRING_LENGTH;
  let raw = bytes;
  if (file.endsWith(".gz")) {
    const maxOutputLength = Math.min(limit, Math.max(64 * 2 ** 20, maxExpansion * bytes.length));
    try {
      raw = gunzipSync(bytes, { maxOutputLength });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new DataError(
        code === "ERR_BUFFER_TOO_LARGE"
          ? `decompresses to larger than ${maxOutputLength} bytes; refusing a likely gzip bomb ` +
              "(split the file, or store it uncompressed)"
          : `not a readable gzip file (${(error as Error).message})`,
        { file },
      );
    }
  }
  if (raw.length > limit)
    throw new DataError(
      `is ${raw.length} bytes, larger than ${limit}, the most one string holds; split it or convert it to parquet`,
      { file },
    );
  return raw.toString("utf8");
}

function jsonlRecords(text: string, file: string): SourceRecord[] {
  const records: SourceRecord[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new DataError(`not valid JSON (${(error as Error).message})`, { file, line: i + 1 });
    }
    if (!isObject(value))
      throw new DataError(`expected a JSON object, got ${kind(value)}`, { file, line: i + 1 });
    records.push({ value, file, line: i + 1, unit: "line" });
  }
  return records;
}

function jsonArrayRecords(text: string, file: string): SourceRecord[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new DataError(`not valid JSON (${(error as Error).message})`, { file });
  }
  if (!Array.isArray(value)) throw new DataError("expected a JSON array of records", { file });
  return value.map((element, index) => {
    if (!isObject(element))
      throw new DataError(`element ${index + 1}: expected a JSON object, got ${kind(element)}`, {
        file,
      });
    return { value: element, file, line: index + 1, unit: "element" as const };
  });
}

function csvRecords(text: string, file: string): SourceRecord[] {
  const rows = parseCsv(text);
  const header = rows[0];
  if (!header) return [];
  return rows.slice(1).map((row) => {
    if (row.cells.length !== header.cells.length)
      throw new DataError(
        `expected ${header.cells.length} cells (as in the header), got ${row.cells.length}`,
        { file, line: row.line },
      );
    const value: Record<string, unknown> = {};
    header.cells.forEach((name, i) => {
      value[name] = row.cells[i];
    });
    return { value, file, line: row.line, unit: "line" as const };
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function kind(value: unknown): string {
  return Array.isArray(value) ? "an array" : value === null ? "null" : typeof value;
}

/** A DataError located at a record ("file:line: message", or "file: element|row N: message"). */
export function recordError(record: SourceRecord, message: string): DataError {
  return record.unit === "line"
    ? new DataError(message, { file: record.file, line: record.line })
    : new DataError(`${record.unit} ${record.line}: ${message}`, { file: record.file });
}

/**
 * A field's value as text for ids and display: strings as they are, other JSON values as JSON.
 * Never `String(value)`, which throws for an object whose `toString` key holds a non-function.
 */
export function textOf(value: unknown): string {
  if (typeof value === "string") return value;
  return JSON.stringify(value) ?? "";
}

/** A field that must be a non-empty string (numbers are accepted and stringified). */
export function stringField(record: SourceRecord, field: string): string {
  const value = record.value[field];
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value !== "string" || value.trim() === "")
    throw recordError(
      record,
      value === undefined
        ? `missing field "${field}"`
        : `field "${field}" must be a non-empty string, got ${JSON.stringify(value)?.slice(0, 60)}`,
    );
  return value;
}
