import { DataError } from "../model/errors.ts";
import { type GgmlType, ggmlTypes, tensorByteLength } from "./ggml-type.ts";
import { bf16ToF32, f16ToF32 } from "./half-float.ts";

type Dequantizer = (src: DataView, offset: number, blocks: number, out: Float32Array) => void;

/**
 * Block decoders, one per type, following ggml's reference `dequantize_row_*` (ggml-quants.c) and
 * block structs (ggml-common.h). `offset` is the byte offset of the first block in `src`.
 */
const dequantizers: Partial<Record<GgmlType, Dequantizer>> = {
  F32(src, offset, n, out) {
    for (let i = 0; i < n; i++) out[i] = src.getFloat32(offset + 4 * i, true);
  },
  F16(src, offset, n, out) {
    for (let i = 0; i < n; i++) out[i] = f16ToF32(src.getUint16(offset + 2 * i, true));
  },
  BF16(src, offset, n, out) {
    for (let i = 0; i < n; i++) out[i] = bf16ToF32(src.getUint16(offset + 2 * i, true));
  },
  F64(src, offset, n, out) {
    for (let i = 0; i < n; i++) out[i] = src.getFloat64(offset + 8 * i, true);
  },
  I8(src, offset, n, out) {
    for (let i = 0; i < n; i++) out[i] = src.getInt8(offset + i);
  },
  I16(src, offset, n, out) {
    for (let i = 0; i < n; i++) out[i] = src.getInt16(offset + 2 * i, true);
  },
  I32(src, offset, n, out) {
    for (let i = 0; i < n; i++) out[i] = src.getInt32(offset + 4 * i, true);
  },
  // block_q8_0 { half d; int8 qs[32] }
  Q8_0(src, offset, blocks, out) {
    for (let b = 0; b < blocks; b++) {
      const base = offset + b * 34;
      const d = f16ToF32(src.getUint16(base, true));
      const y = b * 32;
      for (let j = 0; j < 32; j++) out[y + j] = d * src.getInt8(base + 2 + j);
    }
  },
  // block_q4_0 { half d; uint8 qs[16] }: low nibbles are elements 0..15, high nibbles 16..31
  Q4_0(src, offset, blocks, out) {
    for (let b = 0; b < blocks; b++) {
      const base = offset + b * 18;
      const d = f16ToF32(src.getUint16(base, true));
      const y = b * 32;
      for (let j = 0; j < 16; j++) {
        const q = src.getUint8(base + 2 + j);
        out[y + j] = ((q & 0x0f) - 8) * d;
        out[y + j + 16] = ((q >> 4) - 8) * d;
      }
    }
  },
  // block_q4_1 { half d; half m; uint8 qs[16] }
  Q4_1(src, offset, blocks, out) {
    for (let b = 0; b < blocks; b++) {
      const base = offset + b * 20;
      const d = f16ToF32(src.getUint16(base, true));
      const m = f16ToF32(src.getUint16(base + 2, true));
      const y = b * 32;
      for (let j = 0; j < 16; j++) {
        const q = src.getUint8(base + 4 + j);
        out[y + j] = (q & 0x0f) * d + m;
        out[y + j + 16] = (q >> 4) * d + m;
      }
    }
  },
  // block_q5_0 { half d; uint32 qh; uint8 qs[16] }: qh holds the fifth bit of each element
  Q5_0(src, offset, blocks, out) {
    for (let b = 0; b < blocks; b++) {
      const base = offset + b * 22;
      const d = f16ToF32(src.getUint16(base, true));
      const qh = src.getUint32(base + 2, true);
      const y = b * 32;
      for (let j = 0; j < 16; j++) {
        const q = src.getUint8(base + 6 + j);
        const h0 = ((qh >>> j) << 4) & 0x10;
        const h1 = (qh >>> (j + 12)) & 0x10;
        out[y + j] = (((q & 0x0f) | h0) - 16) * d;
        out[y + j + 16] = (((q >> 4) | h1) - 16) * d;
      }
    }
  },
  // block_q5_1 { half d; half m; uint32 qh; uint8 qs[16] }
  Q5_1(src, offset, blocks, out) {
    for (let b = 0; b < blocks; b++) {
      const base = offset + b * 24;
      const d = f16ToF32(src.getUint16(base, true));
      const m = f16ToF32(src.getUint16(base + 2, true));
      const qh = src.getUint32(base + 4, true);
      const y = b * 32;
      for (let j = 0; j < 16; j++) {
        const q = src.getUint8(base + 8 + j);
        const h0 = ((qh >>> j) << 4) & 0x10;
        const h1 = (qh >>> (j + 12)) & 0x10;
        out[y + j] = ((q & 0x0f) | h0) * d + m;
        out[y + j + 16] = ((q >> 4) | h1) * d + m;
      }
    }
  },
  // block_q4_K { half d; half dmin; uint8 scales[12]; uint8 qs[128] }: 8 sub-blocks of 32 with
  // 6-bit scales and mins packed in `scales`
  Q4_K(src, offset, blocks, out) {
    for (let b = 0; b < blocks; b++) {
      const base = offset + b * 144;
      const d = f16ToF32(src.getUint16(base, true));
      const dmin = f16ToF32(src.getUint16(base + 2, true));
      const scales = base + 4;
      let q = base + 16;
      let y = b * 256;
      for (let sub = 0; sub < 8; sub += 2) {
        const [sc1, m1] = scaleMinK4(src, scales, sub);
        const [sc2, m2] = scaleMinK4(src, scales, sub + 1);
        const d1 = d * sc1;
        const min1 = dmin * m1;
        const d2 = d * sc2;
        const min2 = dmin * m2;
        for (let l = 0; l < 32; l++) out[y + l] = d1 * (src.getUint8(q + l) & 0x0f) - min1;
        for (let l = 0; l < 32; l++) out[y + 32 + l] = d2 * (src.getUint8(q + l) >> 4) - min2;
        q += 32;
        y += 64;
      }
    }
  },
  // block_q5_K { half d; half dmin; uint8 scales[12]; uint8 qh[32]; uint8 qs[128] }
  Q5_K(src, offset, blocks, out) {
    for (let b = 0; b < blocks; b++) {
      const base = offset + b * 176;
      const d = f16ToF32(src.getUint16(base, true));
      const dmin = f16ToF32(src.getUint16(base + 2, true));
      const scales = base + 4;
      const qh = base + 16;
      let ql = base + 48;
      let y = b * 256;
      let u1 = 1;
      let u2 = 2;
      for (let sub = 0; sub < 8; sub += 2) {
        const [sc1, m1] = scaleMinK4(src, scales, sub);
        const [sc2, m2] = scaleMinK4(src, scales, sub + 1);
        const d1 = d * sc1;
        const min1 = dmin * m1;
        const d2 = d * sc2;
        const min2 = dmin * m2;
        for (let l = 0; l < 32; l++) {
          const h = src.getUint8(qh + l);
          const lo = src.getUint8(ql + l);
          out[y + l] = d1 * ((lo & 0x0f) + (h & u1 ? 16 : 0)) - min1;
          out[y + 32 + l] = d2 * ((lo >> 4) + (h & u2 ? 16 : 0)) - min2;
        }
        ql += 32;
        y += 64;
        u1 <<= 2;
        u2 <<= 2;
      }
    }
  },
  // block_q6_K { uint8 ql[128]; uint8 qh[64]; int8 scales[16]; half d }
  Q6_K(src, offset, blocks, out) {
    for (let b = 0; b < blocks; b++) {
      const base = offset + b * 210;
      const d = f16ToF32(src.getUint16(base + 208, true));
      let ql = base;
      let qh = base + 128;
      let sc = base + 192;
      let y = b * 256;
      for (let half = 0; half < 2; half++) {
        for (let l = 0; l < 32; l++) {
          const is = l >> 4;
          const h = src.getUint8(qh + l);
          const lo0 = src.getUint8(ql + l);
          const lo1 = src.getUint8(ql + l + 32);
          const q1 = ((lo0 & 0x0f) | ((h & 3) << 4)) - 32;
          const q2 = ((lo1 & 0x0f) | (((h >> 2) & 3) << 4)) - 32;
          const q3 = ((lo0 >> 4) | (((h >> 4) & 3) << 4)) - 32;
          const q4 = ((lo1 >> 4) | (((h >> 6) & 3) << 4)) - 32;
          out[y + l] = d * src.getInt8(sc + is) * q1;
          out[y + l + 32] = d * src.getInt8(sc + is + 2) * q2;
          out[y + l + 64] = d * src.getInt8(sc + is + 4) * q3;
          out[y + l + 96] = d * src.getInt8(sc + is + 6) * q4;
        }
        y += 128;
        ql += 64;
        qh += 32;
        sc += 8;
      }
    }
  },
  // block_q8_K { float d; int8 qs[256]; int16 bsums[16] }
  Q8_K(src, offset, blocks, out) {
    for (let b = 0; b < blocks; b++) {
      const base = offset + b * 292;
      const d = src.getFloat32(base, true);
      const y = b * 256;
      for (let j = 0; j < 256; j++) out[y + j] = d * src.getInt8(base + 4 + j);
    }
  },
};

/** Scale and min of sub-block `j` from the 12 packed bytes of a Q4_K/Q5_K block (`get_scale_min_k4`). */
function scaleMinK4(src: DataView, at: number, j: number): [number, number] {
  if (j < 4) return [src.getUint8(at + j) & 63, src.getUint8(at + j + 4) & 63];
  const hi = src.getUint8(at + j + 4);
  return [
    (hi & 0x0f) | ((src.getUint8(at + j - 4) >> 6) << 4),
    (hi >> 4) | ((src.getUint8(at + j) >> 6) << 4),
  ];
}

/** Tensor types `dequantize` can decode. */
export const dequantizableTypes: readonly GgmlType[] = Object.keys(dequantizers) as GgmlType[];

/** Whether `dequantize` can decode this type. */
export function canDequantize(type: GgmlType): boolean {
  return dequantizers[type] !== undefined;
}

/**
 * Decodes `elementCount` elements of `type` stored in `bytes` into floats.
 * Throws a DataError naming the type and the supported ones for types it cannot decode.
 */
export function dequantize(
  type: GgmlType,
  bytes: Uint8Array,
  elementCount: number,
  location?: { file?: string; tensor?: string },
): Float32Array {
  const decode = dequantizers[type];
  const where = location?.tensor !== undefined ? ` (tensor "${location.tensor}")` : "";
  const fileLocation = location?.file !== undefined ? { file: location.file } : undefined;
  if (!decode) {
    throw new DataError(
      `unsupported tensor type ${type}${where}; chorus can decode ${dequantizableTypes.join(", ")} ` +
        "(requantize the model to one of these, e.g. Q8_0 or Q4_K_M, with llama-quantize)",
      fileLocation,
    );
  }
  const needed = tensorByteLength(type, elementCount);
  if (bytes.byteLength < needed) {
    throw new DataError(
      `tensor data${where} is ${bytes.byteLength} bytes but ${elementCount} ${type} elements need ${needed}`,
      fileLocation,
    );
  }
  const out = new Float32Array(elementCount);
  const view = new DataView(bytes.buffer, bytes.byteOffset, needed);
  const { blockSize } = ggmlTypes[type];
  decode(view, 0, blockSize === 1 ? elementCount : elementCount / blockSize, out);
  return out;
}
