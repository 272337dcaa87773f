import { type Arr, zerosLike } from "./array.ts";
import { gemm } from "./gemm.ts";

/** Shapes of grouped-query attention: `nHead` query heads share `nHeadKv` key/value heads. */
export interface AttentionShape {
  nHead: number;
  nHeadKv: number;
  headDim: number;
}

/** Per-head softmax probabilities, kept for the backward. */
export interface AttentionCache {
  q: Arr;
  k: Arr;
  v: Arr;
  probs: Arr[];
  T: number;
  Tk: number;
}

function headSlice(x: Arr, rows: number, heads: number, h: number, hd: number): Arr {
  const out = zerosLike(x, rows * hd);
  const stride = heads * hd;
  for (let t = 0; t < rows; t++)
    out.set(x.subarray(t * stride + h * hd, t * stride + (h + 1) * hd), t * hd);
  return out;
}

function headScatterAdd(
  dst: Arr,
  src: Arr,
  rows: number,
  heads: number,
  h: number,
  hd: number,
): void {
  const stride = heads * hd;
  for (let t = 0; t < rows; t++) {
    const o = t * stride + h * hd;
    for (let i = 0; i < hd; i++) dst[o + i]! += src[t * hd + i]!;
  }
}

/**
 * Causal scaled-dot-product attention. q = [T, nHead·hd]; k, v = [Tk, nHeadKv·hd] where the
 * last T keys belong to the queries (Tk > T when a KV cache supplies earlier positions).
 * Query head h reads key/value head ⌊h / (nHead / nHeadKv)⌋, as llama.cpp's GQA does.
 */
export async function attentionForward(
  q: Arr,
  k: Arr,
  v: Arr,
  T: number,
  Tk: number,
  shape: AttentionShape,
  keep: boolean,
): Promise<{ out: Arr; cache?: AttentionCache }> {
  const { nHead, nHeadKv, headDim: hd } = shape;
  const group = nHead / nHeadKv;
  const scale = 1 / Math.sqrt(hd);
  const out = zerosLike(q, T * nHead * hd);
  const probs: Arr[] = [];
  const past = Tk - T;
  const kh: Arr[] = [];
  const vh: Arr[] = [];
  for (let g = 0; g < nHeadKv; g++) {
    kh.push(headSlice(k, Tk, nHeadKv, g, hd));
    vh.push(headSlice(v, Tk, nHeadKv, g, hd));
  }
  for (let h = 0; h < nHead; h++) {
    const g = Math.floor(h / group);
    const qh = headSlice(q, T, nHead, h, hd);
    const s = await gemm(qh, kh[g]!, T, Tk, hd, false, true);
    for (let t = 0; t < T; t++) {
      const row = t * Tk;
      const last = past + t;
      let max = -Infinity;
      for (let j = 0; j <= last; j++) {
        const val = s[row + j]! * scale;
        s[row + j] = val;
        if (val > max) max = val;
      }
      let sum = 0;
      for (let j = 0; j <= last; j++) {
        const e = Math.exp(s[row + j]! - max);
        s[row + j] = e;
        sum += e;
      }
      const inv = 1 / sum;
      for (let j = 0; j <= last; j++) s[row + j]! *= inv;
      for (let j = last + 1; j < Tk; j++) s[row + j] = 0;
    }
    const oh = await gemm(s, vh[g]!, T, hd, Tk);
    headScatterAdd(out, oh, T, nHead, h, hd);
    if (keep) probs.push(s);
  }
  return keep ? { out, cache: { q, k, v, probs, T, Tk } } : { out };
}

/** Backward: dq = dS·K·scale, dk = dSᵀ·Q·scale, dv = Pᵀ·dO with dS = P∘(dP − rowsum(dP∘P)). */
export async function attentionBackward(
  dOut: Arr,
  cache: AttentionCache,
  shape: AttentionShape,
): Promise<{ dq: Arr; dk: Arr; dv: Arr }> {
  const { nHead, nHeadKv, headDim: hd } = shape;
  const { q, k, v, probs, T, Tk } = cache;
  const group = nHead / nHeadKv;
  const scale = 1 / Math.sqrt(hd);
  const dq = zerosLike(dOut, T * nHead * hd);
  const dk = zerosLike(dOut, Tk * nHeadKv * hd);
  const dv = zerosLike(dOut, Tk * nHeadKv * hd);
  const kh: Arr[] = [];
  const vh: Arr[] = [];
  for (let g = 0; g < nHeadKv; g++) {
    kh.push(headSlice(k, Tk, nHeadKv, g, hd));
    vh.push(headSlice(v, Tk, nHeadKv, g, hd));
  }
  for (let h = 0; h < nHead; h++) {
    const g = Math.floor(h / group);
    const P = probs[h]!;
    const dOh = headSlice(dOut, T, nHead, h, hd);
    const qh = headSlice(q, T, nHead, h, hd);
    const dP = await gemm(dOh, vh[g]!, T, Tk, hd, false, true);
    for (let t = 0; t < T; t++) {
      const row = t * Tk;
      let dot = 0;
      for (let j = 0; j < Tk; j++) dot += dP[row + j]! * P[row + j]!;
      for (let j = 0; j < Tk; j++) dP[row + j] = P[row + j]! * (dP[row + j]! - dot) * scale;
    }
    headScatterAdd(dq, await gemm(dP, kh[g]!, T, hd, Tk), T, nHead, h, hd);
    headScatterAdd(dk, await gemm(dP, qh, Tk, hd, T, true, false), Tk, nHeadKv, g, hd);
    headScatterAdd(dv, await gemm(P, dOh, Tk, hd, T, true, false), Tk, nHeadKv, g, hd);
  }
  return { dq, dk, dv };
}
