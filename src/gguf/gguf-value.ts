/** Metadata value types of GGUF (`enum gguf_type` in gguf.h), by id. */
export const ggufValueTypeIds = {
  uint8: 0,
  int8: 1,
  uint16: 2,
  int16: 3,
  uint32: 4,
  int32: 5,
  float32: 6,
  bool: 7,
  string: 8,
  array: 9,
  uint64: 10,
  int64: 11,
  float64: 12,
} as const;

/** A metadata value type by name. */
export type GgufValueType = keyof typeof ggufValueTypeIds;

/** Scalar types stored as JS numbers. */
export type GgufNumberType =
  | "uint8"
  | "int8"
  | "uint16"
  | "int16"
  | "uint32"
  | "int32"
  | "float32"
  | "float64";

/** 64-bit integer types, stored as bigint so no precision is lost. */
export type GgufBigIntType = "uint64" | "int64";

/** Elements of a metadata array: all of one type (arrays may nest). */
export type GgufArrayItems =
  | { itemType: GgufNumberType; items: number[] }
  | { itemType: GgufBigIntType; items: bigint[] }
  | { itemType: "bool"; items: boolean[] }
  | { itemType: "string"; items: string[] }
  | { itemType: "array"; items: GgufArrayItems[] };

/**
 * One typed metadata value. The type travels with the value so a file read and written again keeps
 * its exact encoding (llama.cpp checks some keys' types, e.g. `general.alignment` must be uint32).
 */
export type GgufValue =
  | { type: GgufNumberType; value: number }
  | { type: GgufBigIntType; value: bigint }
  | { type: "bool"; value: boolean }
  | { type: "string"; value: string }
  | ({ type: "array" } & GgufArrayItems);

/** Builders for typed metadata values, e.g. `gguf.u32(64)`, `gguf.strings(["a", "b"])`. */
export const gguf = {
  u8: (value: number): GgufValue => ({ type: "uint8", value }),
  i8: (value: number): GgufValue => ({ type: "int8", value }),
  u16: (value: number): GgufValue => ({ type: "uint16", value }),
  i16: (value: number): GgufValue => ({ type: "int16", value }),
  u32: (value: number): GgufValue => ({ type: "uint32", value }),
  i32: (value: number): GgufValue => ({ type: "int32", value }),
  f32: (value: number): GgufValue => ({ type: "float32", value }),
  f64: (value: number): GgufValue => ({ type: "float64", value }),
  u64: (value: bigint): GgufValue => ({ type: "uint64", value }),
  i64: (value: bigint): GgufValue => ({ type: "int64", value }),
  bool: (value: boolean): GgufValue => ({ type: "bool", value }),
  str: (value: string): GgufValue => ({ type: "string", value }),
  strings: (items: string[]): GgufValue => ({ type: "array", itemType: "string", items }),
  numbers: (itemType: GgufNumberType, items: number[]): GgufValue => ({
    type: "array",
    itemType,
    items,
  }),
};

/** The plain JS value: number, bigint, boolean, string, or (nested) arrays of those. */
export type GgufPlainValue = number | bigint | boolean | string | GgufPlainValue[];

/** Drops the type tag: `{type:"uint32", value: 64}` gives 64, arrays give their items. */
export function plainValue(value: GgufValue | GgufArrayItems): GgufPlainValue {
  if ("value" in value) return value.value;
  if (value.itemType === "array") return value.items.map((inner) => plainValue(inner));
  return value.items;
}
