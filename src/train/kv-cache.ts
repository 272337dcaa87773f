import { type Arr, zerosLike } from "./array.ts";

/**
 * Keys and values of earlier positions, per layer, for incremental decoding. `k[l]`/`v[l]` are
 * buffers whose first `length` rows hold the cache; their capacity grows geometrically, so a
 * decoding step appends its rows instead of copying the whole cache.
 */
export interface KvCache {
  k: Arr[];
  v: Arr[];
  length: number;
}

function grow(buf: Arr | undefined, used: number, needed: number, like: Arr): Arr {
  if (buf && buf.length >= needed) return buf;
  const next = zerosLike(like, Math.max(needed, 2 * (buf?.length ?? 0)));
  if (buf) next.set(buf.subarray(0, used));
  return next;
}

/**
 * Appends layer `layer`'s new keys/values ([rows, width] each) after the cache's `length` rows
 * and returns the buffers (valid rows: length + rows). `kv.length` is advanced by the caller
 * once every layer has appended.
 */
export function appendKv(
  kv: KvCache,
  layer: number,
  k: Arr,
  v: Arr,
  width: number,
): { k: Arr; v: Arr } {
  const used = kv.length * width;
  const kb = grow(kv.k[layer], used, used + k.length, k);
  const vb = grow(kv.v[layer], used, used + v.length, v);
  kb.set(k, used);
  vb.set(v, used);
  kv.k[layer] = kb;
  kv.v[layer] = vb;
  return { k: kb, v: vb };
}
