import { DataError } from "../model/errors.ts";

/**
 * Every tensor type ggml knows, with its id in GGUF files, how many elements one block holds and
 * how many bytes that block takes (from ggml's `type_traits`). The reader needs all of them to lay
 * out a file's tensors, even the ones it cannot dequantize.
 */
export const ggmlTypes = {
  F32: { id: 0, blockSize: 1, blockBytes: 4 },
  F16: { id: 1, blockSize: 1, blockBytes: 2 },
  Q4_0: { id: 2, blockSize: 32, blockBytes: 18 },
  Q4_1: { id: 3, blockSize: 32, blockBytes: 20 },
  Q5_0: { id: 6, blockSize: 32, blockBytes: 22 },
  Q5_1: { id: 7, blockSize: 32, blockBytes: 24 },
  Q8_0: { id: 8, blockSize: 32, blockBytes: 34 },
  Q8_1: { id: 9, blockSize: 32, blockBytes: 36 },
  Q2_K: { id: 10, blockSize: 256, blockBytes: 84 },
  Q3_K: { id: 11, blockSize: 256, blockBytes: 110 },
  Q4_K: { id: 12, blockSize: 256, blockBytes: 144 },
  Q5_K: { id: 13, blockSize: 256, blockBytes: 176 },
  Q6_K: { id: 14, blockSize: 256, blockBytes: 210 },
  Q8_K: { id: 15, blockSize: 256, blockBytes: 292 },
  IQ2_XXS: { id: 16, blockSize: 256, blockBytes: 66 },
  IQ2_XS: { id: 17, blockSize: 256, blockBytes: 74 },
  IQ3_XXS: { id: 18, blockSize: 256, blockBytes: 98 },
  IQ1_S: { id: 19, blockSize: 256, blockBytes: 50 },
  IQ4_NL: { id: 20, blockSize: 32, blockBytes: 18 },
  IQ3_S: { id: 21, blockSize: 256, blockBytes: 110 },
  IQ2_S: { id: 22, blockSize: 256, blockBytes: 82 },
  IQ4_XS: { id: 23, blockSize: 256, blockBytes: 136 },
  I8: { id: 24, blockSize: 1, blockBytes: 1 },
  I16: { id: 25, blockSize: 1, blockBytes: 2 },
  I32: { id: 26, blockSize: 1, blockBytes: 4 },
  I64: { id: 27, blockSize: 1, blockBytes: 8 },
  F64: { id: 28, blockSize: 1, blockBytes: 8 },
  IQ1_M: { id: 29, blockSize: 256, blockBytes: 56 },
  BF16: { id: 30, blockSize: 1, blockBytes: 2 },
  TQ1_0: { id: 34, blockSize: 256, blockBytes: 54 },
  TQ2_0: { id: 35, blockSize: 256, blockBytes: 66 },
  MXFP4: { id: 39, blockSize: 32, blockBytes: 17 },
  NVFP4: { id: 40, blockSize: 64, blockBytes: 36 },
  Q1_0: { id: 41, blockSize: 128, blockBytes: 18 },
  Q2_0: { id: 42, blockSize: 64, blockBytes: 18 },
} as const;

/** A ggml tensor type by name, e.g. "F32", "Q8_0", "Q4_K". */
export type GgmlType = keyof typeof ggmlTypes;

const typeById = new Map<number, GgmlType>(
  Object.entries(ggmlTypes).map(([name, info]) => [info.id, name as GgmlType]),
);

/** The type with this id in a GGUF file; a clear error for ids this build does not know. */
export function ggmlTypeFromId(id: number, file?: string): GgmlType {
  const type = typeById.get(id);
  if (type === undefined) {
    throw new DataError(
      `unknown ggml tensor type id ${id}; known types: ${Object.keys(ggmlTypes).join(", ")} ` +
        "(the file may come from a newer llama.cpp; convert it to one of these types)",
      file !== undefined ? { file } : undefined,
    );
  }
  return type;
}

/** Bytes taken by `elementCount` elements of `type` (a whole number of blocks). */
export function tensorByteLength(type: GgmlType, elementCount: number): number {
  const { blockSize, blockBytes } = ggmlTypes[type];
  if (elementCount % blockSize !== 0) {
    throw new DataError(
      `${elementCount} elements do not fill whole ${type} blocks of ${blockSize}; ` +
        `use a shape whose first dimension is a multiple of ${blockSize}, or another type`,
    );
  }
  return (elementCount / blockSize) * blockBytes;
}
