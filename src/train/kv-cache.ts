import { type Arr, zerosLike } from "./array.ts";

/**
 * Keys and values of earlier positions, per layer, for incremental decoding. `k[l]`/`v[l]` are
 * head-major, [nHeadKv, capacity, headDim] with capacity = buffer length / (nHeadKv·headDim):
 * the first `length` rows of each head hold the cache, so attention copies a head's rows in one
 * block (a batched decoding step copies every cached row of the batch). The capacity grows
 * geometrically, so a decoding step appends its rows instead of copying the whole cache.
 */
export interface KvCache {
  k: Arr[];
  v: Arr[];
  length: number;
}

/** Rows per head that `buf` holds. */
export function kvCapacity(buf: Arr, nHeadKv: number, hd: number): number {
  return buf.length / (nHeadKv * hd);
}

/** `buf` with room for `needed` rows per head, its first `used` rows of each head kept. */
function grow(
  buf: Arr | undefined,
  used: number,
  needed: number,
  nHeadKv: number,
  hd: number,
  like: Arr,
): Arr {
  const cap = buf ? kvCapacity(buf, nHeadKv, hd) : 0;
  if (buf && cap >= needed) return buf;
  const next = Math.max(needed, 2 * cap);
  const out = zerosLike(like, nHeadKv * next * hd);
  if (buf)
    for (let h = 0; h < nHeadKv; h++)
      out.set(buf.subarray(h * cap * hd, (h * cap + used) * hd), h * next * hd);
  return out;
}

/**
 * Appends layer `layer`'s keys and values of `rows` new positions after the cache's `length`
 * rows. They are read from `src`, whose rows are `stride` wide, keys in columns kCol..,
 * values in vCol.. (nHeadKv·hd each; the fused q/k/v product's blocks, from row `row0`).
 * `kv.length` is advanced by the caller once every layer has appended.
 */
export function appendKv(
  kv: KvCache,
  layer: number,
  src: { a: Arr; stride: number; row0: number; rows: number; kCol: number; vCol: number },
  nHeadKv: number,
  hd: number,
): void {
  const used = kv.length;
  const { a, stride, row0, rows } = src;
  for (const [bufs, col] of [
    [kv.k, src.kCol],
    [kv.v, src.vCol],
  ] as const) {
    const buf = grow(bufs[layer], used, used + rows, nHeadKv, hd, a);
    bufs[layer] = buf;
    const cap = kvCapacity(buf, nHeadKv, hd);
    for (let h = 0; h < nHeadKv; h++)
      for (let t = 0; t < rows; t++) {
        const s = (row0 + t) * stride + col + h * hd;
        const o = (h * cap + used + t) * hd;
        for (let i = 0; i < hd; i++) buf[o + i] = a[s + i]!;
      }
  }
}
