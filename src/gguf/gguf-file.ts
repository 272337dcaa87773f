import { type FileHandle, open } from "node:fs/promises";
import { DataError } from "../model/errors.ts";
import { dequantize } from "./dequantize.ts";
import { type GgmlType, ggmlTypeFromId, ggmlTypes, tensorByteLength } from "./ggml-type.ts";
import { GgufHeaderReader } from "./gguf-header-reader.ts";
import { type GgufPlainValue, type GgufValue, plainValue } from "./gguf-value.ts";

/** Where one tensor lives in a GGUF file. */
export interface GgufTensorInfo {
  name: string;
  /** Dimensions in ggml order: `shape[0]` (ne0) is the contiguous one, e.g. [n_embd, n_vocab]. */
  shape: readonly number[];
  type: GgmlType;
  /** Absolute byte offset of the tensor's data in the file. */
  offset: number;
  byteLength: number;
  elementCount: number;
}

/** GGUF versions this reader understands (v1 used 32-bit lengths and is long obsolete). */
export const supportedGgufVersions = [2, 3] as const;

const defaultAlignment = 32;

/**
 * An open GGUF file: header, metadata and tensor infos are parsed on open; tensor data is read
 * lazily, one slice at a time, so opening a 600 MB model costs only its header.
 */
export class GgufFile {
  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    readonly version: number,
    readonly metadata: ReadonlyMap<string, GgufValue>,
    readonly tensors: readonly GgufTensorInfo[],
    readonly alignment: number,
    /** Absolute offset where the tensor data section starts. */
    readonly dataOffset: number,
    readonly fileSize: number,
  ) {
    this.byName = new Map(tensors.map((t) => [t.name, t]));
  }

  private readonly byName: Map<string, GgufTensorInfo>;

  /** Opens and parses `path`; throws a DataError for a file that is not a readable GGUF. */
  static async open(path: string): Promise<GgufFile> {
    let handle: FileHandle;
    try {
      handle = await open(path, "r");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new DataError(
        code === "ENOENT" ? "no such file; check the path" : `cannot open: ${String(error)}`,
        { file: path },
      );
    }
    try {
      const fileSize = (await handle.stat()).size;
      return GgufFile.parse(path, handle, fileSize);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  private static parse(path: string, handle: FileHandle, fileSize: number): GgufFile {
    const reader = new GgufHeaderReader(handle.fd, fileSize, path);
    const magic = reader.bytes(4);
    if (magic[0] !== 0x47 || magic[1] !== 0x47 || magic[2] !== 0x55 || magic[3] !== 0x46) {
      const shown = [...magic].map((b) => b.toString(16).padStart(2, "0")).join(" ");
      throw new DataError(
        `not a GGUF file: it starts with bytes ${shown}, expected "GGUF" (47 47 55 46); ` +
          "pass a .gguf model file (convert safetensors with llama.cpp's convert_hf_to_gguf.py)",
        { file: path },
      );
    }
    const version = reader.u32();
    if (!(supportedGgufVersions as readonly number[]).includes(version)) {
      const hint =
        version === 1
          ? "GGUF v1 files are obsolete; convert the model again with a current llama.cpp"
          : (version & 0xffff) === 0
            ? "the file looks big-endian; use a little-endian GGUF"
            : "the file is newer than this reader; update chorus";
      throw new DataError(
        `unsupported GGUF version ${version} (supported: ${supportedGgufVersions.join(", ")}); ${hint}`,
        { file: path },
      );
    }
    const tensorCount = reader.count("tensor count", 8 + 4 + 4 + 8);
    const metadataCount = reader.count("metadata count", 8 + 4);
    const metadata = new Map<string, GgufValue>();
    for (let i = 0; i < metadataCount; i++) {
      const key = reader.string();
      metadata.set(key, reader.value(reader.u32(), key));
    }
    const alignmentValue = metadata.get("general.alignment");
    let alignment = defaultAlignment;
    if (alignmentValue !== undefined) {
      if (alignmentValue.type !== "uint32" || !isPowerOfTwo(alignmentValue.value)) {
        throw new DataError(
          "general.alignment must be a uint32 power of two; fix or remove the key",
          { file: path },
        );
      }
      alignment = alignmentValue.value;
    }
    const raw: Array<{ name: string; shape: number[]; type: GgmlType; relative: number }> = [];
    for (let i = 0; i < tensorCount; i++) {
      const name = reader.string();
      const nDims = reader.u32();
      if (nDims < 1 || nDims > 4) {
        throw new DataError(`tensor "${name}" has ${nDims} dimensions; ggml allows 1 to 4`, {
          file: path,
        });
      }
      const shape: number[] = [];
      for (let d = 0; d < nDims; d++) shape.push(reader.safeU64(`dimension of "${name}"`));
      const type = ggmlTypeFromId(reader.u32(), path);
      const relative = reader.safeU64(`offset of "${name}"`);
      if (relative % alignment !== 0) {
        throw new DataError(
          `tensor "${name}" starts at data offset ${relative}, not a multiple of the alignment ` +
            `${alignment}; the file is corrupt`,
          { file: path },
        );
      }
      if (shape[0]! % ggmlTypes[type].blockSize !== 0) {
        throw new DataError(
          `tensor "${name}" has a first dimension of ${shape[0]}, not a multiple of the ${type} ` +
            `block size ${ggmlTypes[type].blockSize}; the file is corrupt`,
          { file: path },
        );
      }
      raw.push({ name, shape, type, relative });
    }
    const dataOffset = tensorCount > 0 ? alignUp(reader.position, alignment) : reader.position;
    const tensors = raw.map(({ name, shape, type, relative }) => {
      const elementCount = shape.reduce((a, b) => a * b, 1);
      const byteLength = tensorByteLength(type, elementCount);
      const offset = dataOffset + relative;
      if (offset + byteLength > fileSize) {
        throw new DataError(
          `truncated GGUF file: tensor "${name}" ends at byte ${offset + byteLength} but the file ` +
            `has only ${fileSize} bytes; the file is incomplete (download it again)`,
          { file: path },
        );
      }
      return { name, shape, type, offset, byteLength, elementCount };
    });
    return new GgufFile(path, handle, version, metadata, tensors, alignment, dataOffset, fileSize);
  }

  /** `general.architecture`, e.g. "llama" or "qwen2". */
  get architecture(): string | undefined {
    const value = this.metadata.get("general.architecture");
    return value?.type === "string" ? value.value : undefined;
  }

  /** A metadata value without its type tag, or undefined when the key is absent. */
  value(key: string): GgufPlainValue | undefined {
    const value = this.metadata.get(key);
    return value === undefined ? undefined : plainValue(value);
  }

  /** A numeric metadata value (64-bit integers converted); throws if absent or not a number. */
  number(key: string): number {
    const value = this.optionalNumber(key);
    if (value === undefined) throw this.missing(key, "number");
    return value;
  }

  /** A numeric metadata value, or undefined when absent. */
  optionalNumber(key: string): number | undefined {
    const value = this.metadata.get(key);
    if (value === undefined) return undefined;
    if ("value" in value && typeof value.value === "number") return value.value;
    if ("value" in value && typeof value.value === "bigint") return Number(value.value);
    throw this.missing(key, "number");
  }

  /** A string metadata value; throws if absent or not a string. */
  string(key: string): string {
    const value = this.metadata.get(key);
    if (value?.type !== "string") throw this.missing(key, "string");
    return value.value;
  }

  /** The tensor named `name`; throws a DataError listing a few names when absent. */
  tensor(name: string): GgufTensorInfo {
    const info = this.byName.get(name);
    if (!info) {
      const some = this.tensors
        .slice(0, 5)
        .map((t) => t.name)
        .join(", ");
      throw new DataError(`no tensor "${name}" in the file (it has ${some}, ...)`, {
        file: this.path,
      });
    }
    return info;
  }

  hasTensor(name: string): boolean {
    return this.byName.has(name);
  }

  /** The raw (still quantized) bytes of a tensor. */
  async readTensorBytes(tensor: string | GgufTensorInfo): Promise<Uint8Array> {
    const info = typeof tensor === "string" ? this.tensor(tensor) : tensor;
    return this.readRange(info.offset, info.byteLength);
  }

  /** A whole tensor decoded to floats, element order as in the file (ne0 fastest). */
  async readTensor(tensor: string | GgufTensorInfo): Promise<Float32Array> {
    const info = typeof tensor === "string" ? this.tensor(tensor) : tensor;
    const bytes = await this.readTensorBytes(info);
    return dequantize(info.type, bytes, info.elementCount, { file: this.path, tensor: info.name });
  }

  /**
   * Rows `first .. first+count-1` of a tensor (a row is `shape[0]` elements), decoded to floats:
   * e.g. a few token embeddings without reading the whole embedding matrix.
   */
  async readTensorRows(
    tensor: string | GgufTensorInfo,
    first: number,
    count: number,
  ): Promise<Float32Array> {
    const info = typeof tensor === "string" ? this.tensor(tensor) : tensor;
    const rowLength = info.shape[0]!;
    const rows = info.elementCount / rowLength;
    if (!Number.isInteger(first) || !Number.isInteger(count) || first < 0 || count < 0) {
      throw new RangeError(
        `rows must be non-negative integers (got first=${first}, count=${count})`,
      );
    }
    if (first + count > rows) {
      throw new RangeError(
        `tensor "${info.name}" has ${rows} rows; asked for ${first}..${first + count - 1}`,
      );
    }
    const rowBytes = tensorByteLength(info.type, rowLength);
    const bytes = await this.readRange(info.offset + first * rowBytes, count * rowBytes);
    return dequantize(info.type, bytes, count * rowLength, { file: this.path, tensor: info.name });
  }

  async close(): Promise<void> {
    await this.handle.close().catch(() => undefined);
  }

  private async readRange(offset: number, length: number): Promise<Uint8Array> {
    const bytes = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await this.handle.read(bytes, done, length - done, offset + done);
      if (bytesRead === 0) {
        throw new DataError(
          `file ended at byte ${offset + done} while reading tensor data; it was truncated after opening`,
          { file: this.path },
        );
      }
      done += bytesRead;
    }
    return bytes;
  }

  private missing(key: string, kind: string): DataError {
    return new DataError(`metadata key "${key}" is missing or not a ${kind}`, { file: this.path });
  }
}

/** Opens a GGUF file (see `GgufFile`). Close it when done. */
export function openGguf(path: string): Promise<GgufFile> {
  return GgufFile.open(path);
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

/** `n` rounded up to a multiple of `alignment`. */
export function alignUp(n: number, alignment: number): number {
  return Math.ceil(n / alignment) * alignment;
}
