import { readSync } from "node:fs";
import { DataError } from "../model/errors.ts";
import type { GgufArrayItems, GgufValue, GgufValueType } from "./gguf-value.ts";
import { ggufValueTypeIds } from "./gguf-value.ts";

const chunkSize = 1 << 20;
const typeNames = new Map<number, GgufValueType>(
  Object.entries(ggufValueTypeIds).map(([name, id]) => [id, name as GgufValueType]),
);
const utf8 = new TextDecoder("utf-8");
/**
 * Arrays nested deeper than this are refused: llama.cpp writes none, and each level costs the
 * parser a stack frame, so a corrupt file of nested headers would otherwise overflow the stack.
 */
const maxArrayDepth = 32;
/** The fewest bytes one array item of each type takes, so a corrupt count fails before any item. */
const minItemBytes: Record<GgufValueType, number> = {
  uint8: 1,
  int8: 1,
  bool: 1,
  uint16: 2,
  int16: 2,
  uint32: 4,
  int32: 4,
  float32: 4,
  uint64: 8,
  int64: 8,
  float64: 8,
  string: 8,
  array: 12,
};

/**
 * Sequential little-endian reader over a GGUF header. It reads the file in 1 MiB chunks with
 * synchronous reads: a header is parsed in one go, and millions of tiny awaits would cost more
 * than the blocking reads of a few megabytes.
 */
export class GgufHeaderReader {
  private buffer = new Uint8Array(0);
  private view = new DataView(this.buffer.buffer);
  /** File position of buffer[0]. */
  private start = 0;
  position = 0;

  constructor(
    private readonly fd: number,
    private readonly fileSize: number,
    private readonly file: string,
  ) {}

  private ensure(n: number): number {
    const at = this.position - this.start;
    if (at + n <= this.buffer.byteLength) {
      this.position += n;
      return at;
    }
    if (this.position + n > this.fileSize) {
      throw new DataError(
        `truncated GGUF file: the header needs byte ${this.position + n} but the file has only ` +
          `${this.fileSize} bytes; the file is incomplete (download it again)`,
        { file: this.file },
      );
    }
    const size = Math.min(Math.max(n, chunkSize), this.fileSize - this.position);
    const buffer = new Uint8Array(size);
    let done = 0;
    while (done < size) {
      const read = readSync(this.fd, buffer, done, size - done, this.position + done);
      if (read === 0) break;
      done += read;
    }
    if (done < n) {
      throw new DataError(`file ended early at byte ${this.position + done}`, { file: this.file });
    }
    this.buffer = buffer.subarray(0, done);
    this.view = new DataView(buffer.buffer, 0, done);
    this.start = this.position;
    this.position += n;
    return 0;
  }

  /** Reads `n` bytes through `get`; the view is taken after `ensure` may have refilled it. */
  private read<T>(n: number, get: (view: DataView, at: number) => T): T {
    const at = this.ensure(n);
    return get(this.view, at);
  }

  bytes(n: number): Uint8Array {
    const at = this.ensure(n);
    return this.buffer.slice(at, at + n);
  }
  u8(): number {
    return this.read(1, (v, at) => v.getUint8(at));
  }
  u32(): number {
    return this.read(4, (v, at) => v.getUint32(at, true));
  }
  u64(): bigint {
    return this.read(8, (v, at) => v.getBigUint64(at, true));
  }

  /** A u64 that must fit a JS number (sizes, offsets). */
  safeU64(what: string): number {
    const value = this.u64();
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new DataError(`${what} is ${value}, too large; the file is corrupt`, {
        file: this.file,
      });
    }
    return Number(value);
  }

  /** A u64 item count, checked against the bytes left so a corrupt count fails fast. */
  count(what: string, minBytesEach: number): number {
    const value = this.safeU64(what);
    if (value * minBytesEach > this.fileSize - this.position) {
      throw new DataError(
        `${what} is ${value} but only ${this.fileSize - this.position} bytes follow; ` +
          "the file is truncated or corrupt",
        { file: this.file },
      );
    }
    return value;
  }

  string(): string {
    const length = this.count("string length", 1);
    const at = this.ensure(length);
    return utf8.decode(this.buffer.subarray(at, at + length));
  }

  value(typeId: number, key: string): GgufValue {
    const type = this.typeName(typeId, key);
    if (type === "array") return { type: "array", ...this.array(key) };
    switch (type) {
      case "string":
        return { type, value: this.string() };
      case "bool":
        return { type, value: this.u8() !== 0 };
      case "uint64":
        return { type, value: this.u64() };
      case "int64":
        return { type, value: this.read(8, (v, at) => v.getBigInt64(at, true)) };
      default:
        return { type, value: this.number(type) };
    }
  }

  private number(type: GgufValueType): number {
    switch (type) {
      case "uint8":
        return this.read(1, (v, at) => v.getUint8(at));
      case "int8":
        return this.read(1, (v, at) => v.getInt8(at));
      case "uint16":
        return this.read(2, (v, at) => v.getUint16(at, true));
      case "int16":
        return this.read(2, (v, at) => v.getInt16(at, true));
      case "uint32":
        return this.read(4, (v, at) => v.getUint32(at, true));
      case "int32":
        return this.read(4, (v, at) => v.getInt32(at, true));
      case "float32":
        return this.read(4, (v, at) => v.getFloat32(at, true));
      case "float64":
        return this.read(8, (v, at) => v.getFloat64(at, true));
      default:
        throw new Error(`not a number type: ${type}`);
    }
  }

  private array(key: string, depth = 1): GgufArrayItems {
    if (depth > maxArrayDepth) {
      throw new DataError(
        `metadata key "${key}" has arrays nested more than ${maxArrayDepth} deep; the file is corrupt`,
        { file: this.file },
      );
    }
    const itemType = this.typeName(this.u32(), key);
    const length = this.count(`length of array "${key}"`, minItemBytes[itemType]);
    switch (itemType) {
      case "array":
        return { itemType, items: Array.from({ length }, () => this.array(key, depth + 1)) };
      case "string":
        return { itemType, items: Array.from({ length }, () => this.string()) };
      case "bool":
        return { itemType, items: Array.from({ length }, () => this.u8() !== 0) };
      case "uint64":
        return { itemType, items: Array.from({ length }, () => this.u64()) };
      case "int64":
        return {
          itemType,
          items: Array.from({ length }, () => this.read(8, (v, at) => v.getBigInt64(at, true))),
        };
      default:
        return { itemType, items: Array.from({ length }, () => this.number(itemType)) };
    }
  }

  private typeName(typeId: number, key: string): GgufValueType {
    const type = typeNames.get(typeId);
    if (type === undefined) {
      throw new DataError(
        `metadata key "${key}" has unknown value type ${typeId}; the file is corrupt or from a newer GGUF version`,
        { file: this.file },
      );
    }
    return type;
  }
}
