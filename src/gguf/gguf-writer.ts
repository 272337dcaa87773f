import { open, rename, rm } from "node:fs/promises";
import { DataError } from "../model/errors.ts";
import { ByteWriter } from "./byte-writer.ts";
import { type GgmlType, ggmlTypes, tensorByteLength } from "./ggml-type.ts";
import { alignUp } from "./gguf-file.ts";
import {
  type GgufArrayItems,
  type GgufValue,
  type GgufValueType,
  gguf,
  ggufValueTypeIds,
} from "./gguf-value.ts";
import { blockSizeOf, quantize } from "./quantize.ts";

/** Floats for a tensor: one array, or chunks in order (each a whole number of blocks). */
export type TensorValues = Float32Array | Iterable<Float32Array>;

/** One tensor to write. */
export interface GgufTensorInput {
  name: string;
  /** ggml order: `shape[0]` (ne0) is contiguous; a [rows × cols] matrix is `[cols, rows]`. */
  shape: readonly number[];
  /** Stored type; floats in `values` are encoded to it (F32, F16, BF16, Q8_0, Q4_0). */
  type: GgmlType;
  /** Floats to encode, or a function giving them only when the writer reaches this tensor. */
  values?: TensorValues | (() => TensorValues);
  /** Already-encoded bytes of `type` (e.g. copied from another file), instead of `values`. */
  bytes?: Uint8Array;
}

export interface GgufWriteInput {
  metadata: Iterable<readonly [string, GgufValue]> | Record<string, GgufValue>;
  tensors: readonly GgufTensorInput[];
  /** Data alignment in bytes (default 32, or the file's `general.alignment`). */
  alignment?: number;
}

/**
 * Writes a GGUF v3 file. Tensors are encoded and written one at a time (values may be generated
 * lazily), so writing a large model never holds more than one tensor chunk in memory. The file
 * appears atomically: it is written beside the target and renamed at the end.
 */
export async function writeGguf(path: string, input: GgufWriteInput): Promise<void> {
  const metadata = new Map<string, GgufValue>(
    Symbol.iterator in input.metadata
      ? (input.metadata as Iterable<readonly [string, GgufValue]>)
      : Object.entries(input.metadata),
  );
  let alignment = input.alignment ?? 32;
  const declared = metadata.get("general.alignment");
  if (declared && declared.type === "uint32" && input.alignment === undefined) {
    alignment = declared.value;
  } else if (alignment !== 32) {
    metadata.set("general.alignment", gguf.u32(alignment));
  }
  if (alignment <= 0 || (alignment & (alignment - 1)) !== 0) {
    throw new DataError(`alignment ${alignment} is not a power of two`);
  }

  const header = new ByteWriter();
  header.raw(new Uint8Array([0x47, 0x47, 0x55, 0x46]));
  header.u32(3);
  header.u64(input.tensors.length);
  header.u64(metadata.size);
  for (const [key, value] of metadata) {
    header.string(key);
    header.u32(ggufValueTypeIds[value.type]);
    writeValue(header, value);
  }
  const names = new Set<string>();
  let relative = 0;
  const layout = input.tensors.map((tensor) => {
    if (names.has(tensor.name)) throw new DataError(`tensor "${tensor.name}" is given twice`);
    names.add(tensor.name);
    const elementCount = checkShape(tensor);
    const byteLength = tensorByteLength(tensor.type, elementCount);
    header.string(tensor.name);
    header.u32(tensor.shape.length);
    for (const dim of tensor.shape) header.u64(dim);
    header.u32(ggmlTypes[tensor.type].id);
    header.u64(relative);
    const entry = { tensor, elementCount, byteLength };
    relative = alignUp(relative + byteLength, alignment);
    return entry;
  });
  header.padTo(alignment);

  const partial = `${path}.${process.pid}.writing`;
  const handle = await open(partial, "w");
  try {
    let position = 0;
    const write = async (bytes: Uint8Array): Promise<void> => {
      let done = 0;
      while (done < bytes.byteLength) {
        const { bytesWritten } = await handle.write(bytes, done, bytes.byteLength - done, position);
        done += bytesWritten;
        position += bytesWritten;
      }
    };
    await write(header.result());
    for (const { tensor, elementCount, byteLength } of layout) {
      const written = await writeTensorData(tensor, elementCount, write);
      if (written !== byteLength) {
        throw new DataError(
          `tensor "${tensor.name}" got ${written} bytes of data; its shape and type need ${byteLength}`,
        );
      }
      const pad = alignUp(byteLength, alignment) - byteLength;
      if (pad > 0) await write(new Uint8Array(pad));
    }
    await handle.close();
    await rename(partial, path);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(partial, { force: true });
    throw error;
  }
}

function checkShape(tensor: GgufTensorInput): number {
  const { shape, name, type } = tensor;
  if (shape.length < 1 || shape.length > 4 || shape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new DataError(
      `tensor "${name}" has shape [${shape.join(", ")}]; use 1 to 4 positive dims`,
    );
  }
  const block = ggmlTypes[type].blockSize;
  if (shape[0]! % block !== 0) {
    throw new DataError(
      `tensor "${name}" has ne0=${shape[0]}, not a multiple of the ${type} block size ${block}; ` +
        "store it as F32 or F16",
    );
  }
  return shape.reduce((a, b) => a * b, 1);
}

async function writeTensorData(
  tensor: GgufTensorInput,
  elementCount: number,
  write: (bytes: Uint8Array) => Promise<void>,
): Promise<number> {
  if (tensor.bytes !== undefined) {
    await write(tensor.bytes);
    return tensor.bytes.byteLength;
  }
  if (tensor.values === undefined) {
    throw new DataError(`tensor "${tensor.name}" has neither values nor bytes`);
  }
  const values = typeof tensor.values === "function" ? tensor.values() : tensor.values;
  const chunks = values instanceof Float32Array ? [values] : values;
  const block = blockSizeOf(tensor.type);
  let count = 0;
  let bytes = 0;
  for (const chunk of chunks) {
    if (chunk.length % block !== 0) {
      throw new DataError(
        `a chunk of tensor "${tensor.name}" has ${chunk.length} values, not a multiple of the ` +
          `${tensor.type} block size ${block}`,
      );
    }
    count += chunk.length;
    if (count > elementCount) break;
    const encoded = quantize(tensor.type, chunk);
    await write(encoded);
    bytes += encoded.byteLength;
  }
  if (count !== elementCount) {
    throw new DataError(
      `tensor "${tensor.name}" got ${count} values; shape [${tensor.shape.join(", ")}] needs ${elementCount}`,
    );
  }
  return bytes;
}

function writeValue(out: ByteWriter, value: GgufValue): void {
  if (value.type === "array") {
    writeArray(out, value);
    return;
  }
  writeScalar(out, value.type, value.value);
}

function writeArray(out: ByteWriter, array: GgufArrayItems): void {
  out.u32(ggufValueTypeIds[array.itemType]);
  out.u64(array.items.length);
  if (array.itemType === "array") {
    for (const inner of array.items) writeArray(out, inner);
    return;
  }
  for (const item of array.items) writeScalar(out, array.itemType, item);
}

function writeScalar(out: ByteWriter, type: GgufValueType, v: number | bigint | boolean | string) {
  switch (type) {
    case "uint8":
      return out.u8(v as number);
    case "int8":
      return out.i8(v as number);
    case "uint16":
      return out.u16(v as number);
    case "int16":
      return out.i16(v as number);
    case "uint32":
      return out.u32(v as number);
    case "int32":
      return out.i32(v as number);
    case "float32":
      return out.f32(v as number);
    case "float64":
      return out.f64(v as number);
    case "uint64":
      return out.u64(v as bigint);
    case "int64":
      return out.i64(v as bigint);
    case "bool":
      return out.u8(v ? 1 : 0);
    case "string":
      return out.string(v as string);
    default:
      throw new DataError(`cannot write a nested ${type} here`);
  }
}
