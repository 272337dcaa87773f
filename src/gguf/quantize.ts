import { DataError } from "../model/errors.ts";
import { type GgmlType, ggmlTypes, tensorByteLength } from "./ggml-type.ts";
import { f32ToBf16, f32ToF16 } from "./half-float.ts";

type Quantizer = (values: Float32Array, out: DataView) => void;

const fround = Math.fround;

/** C's `roundf`: halves go away from zero (Math.round sends -0.5 to -0). */
function roundAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** Encoders following ggml's reference `quantize_row_*_ref`, so files match what llama.cpp writes. */
const quantizers: Partial<Record<GgmlType, Quantizer>> = {
  F32(values, out) {
    for (let i = 0; i < values.length; i++) out.setFloat32(4 * i, values[i]!, true);
  },
  F16(values, out) {
    for (let i = 0; i < values.length; i++) out.setUint16(2 * i, f32ToF16(values[i]!), true);
  },
  BF16(values, out) {
    for (let i = 0; i < values.length; i++) out.setUint16(2 * i, f32ToBf16(values[i]!), true);
  },
  Q8_0(values, out) {
    const blocks = values.length / 32;
    const qs = new Int8Array(out.buffer, out.byteOffset, out.byteLength);
    for (let b = 0; b < blocks; b++) {
      const x = b * 32;
      let amax = 0;
      for (let j = 0; j < 32; j++) {
        const a = Math.abs(values[x + j]!);
        if (a > amax) amax = a;
      }
      const d = fround(amax / 127);
      const id = d !== 0 ? fround(1 / d) : 0;
      const base = b * 34;
      out.setUint16(base, f32ToF16(d), true);
      for (let j = 0; j < 32; j++) qs[base + 2 + j] = roundAway(fround(values[x + j]! * id));
    }
  },
  Q4_0(values, out) {
    const blocks = values.length / 32;
    for (let b = 0; b < blocks; b++) {
      const x = b * 32;
      let amax = 0;
      let max = 0;
      for (let j = 0; j < 32; j++) {
        const v = values[x + j]!;
        if (amax < Math.abs(v)) {
          amax = Math.abs(v);
          max = v;
        }
      }
      const d = fround(max / -8);
      const id = d !== 0 ? fround(1 / d) : 0;
      const base = b * 18;
      out.setUint16(base, f32ToF16(d), true);
      for (let j = 0; j < 16; j++) {
        const q0 = Math.min(15, Math.trunc(fround(values[x + j]! * id) + 8.5));
        const q1 = Math.min(15, Math.trunc(fround(values[x + 16 + j]! * id) + 8.5));
        out.setUint8(base + 2 + j, q0 | (q1 << 4));
      }
    }
  },
};

/** Tensor types `quantize` can encode (and so the types the writer accepts as floats). */
export const quantizableTypes: readonly GgmlType[] = Object.keys(quantizers) as GgmlType[];

/** Encodes floats as `type`. The length must fill whole blocks of the type. */
export function quantize(type: GgmlType, values: Float32Array): Uint8Array {
  const encode = quantizers[type];
  if (!encode) {
    throw new DataError(
      `cannot encode tensors as ${type}; chorus writes ${quantizableTypes.join(", ")} ` +
        "(write Q8_0 or F16 and requantize with llama-quantize for other types)",
    );
  }
  const bytes = new Uint8Array(tensorByteLength(type, values.length));
  encode(values, new DataView(bytes.buffer));
  return bytes;
}

/** Elements per block of `type`: chunks passed to `quantize` must be multiples of it. */
export function blockSizeOf(type: GgmlType): number {
  return ggmlTypes[type].blockSize;
}
