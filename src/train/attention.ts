import { type Arr, zerosLike } from "./array.ts";
import { batchedGemm } from "./gemm.ts";

/** Shapes of grouped-query attention: `nHead` query heads share `nHeadKv` key/value heads. */
export interface AttentionShape {
  nHead: number;
  nHeadKv: number;
  headDim: number;
}

/**
 * Where each sequence's rows are: queries of sequence b are rows offsets[b].. of q (lengths[b]
 * of them); its keys are rows offsets[b].. of k/v, `past` + lengths[b] of them (past > 0 only
 * when a KV cache supplies earlier positions, with a single sequence).
 */
export interface AttentionLayout {
  offsets: readonly number[];
  lengths: readonly number[];
  maxLength: number;
  past: number;
}

/** What the backward needs: the per-head inputs ([G, T, hd]) and the [G, Tq, Tk] softmax. */
export interface AttentionCache {
  qg: Arr;
  kg: Arr;
  vg: Arr;
  probs: Arr;
  layout: AttentionLayout;
  /** Packed rows of the queries and of the keys (dq and dk/dv have these many rows). */
  rows: number;
  keyRows: number;
}

/**
 * Copies heads out of packed rows ([rows, srcHeads·hd]) into [G, T, hd], G = sequences × nHead,
 * zero-padded to T rows; query head h reads source head ⌊h / group⌋ (GQA). Padding lets one
 * batched product serve sequences of different lengths.
 */
function gather(
  src: Arr,
  srcHeads: number,
  group: number,
  nHead: number,
  hd: number,
  layout: AttentionLayout,
  extra: number,
  T: number,
): Arr {
  const B = layout.offsets.length;
  const out = zerosLike(src, B * nHead * T * hd);
  const stride = srcHeads * hd;
  for (let b = 0; b < B; b++) {
    const len = layout.lengths[b]! + extra;
    const off = layout.offsets[b]!;
    for (let h = 0; h < nHead; h++) {
      const base = (b * nHead + h) * T * hd;
      const sh = Math.floor(h / group) * hd;
      for (let t = 0; t < len; t++) {
        const s = (off + t) * stride + sh;
        out.set(src.subarray(s, s + hd), base + t * hd);
      }
    }
  }
  return out;
}

/** The inverse of `gather`: adds [G, T, hd] blocks back into packed rows. */
function scatterAdd(
  dst: Arr,
  src: Arr,
  dstHeads: number,
  group: number,
  nHead: number,
  hd: number,
  layout: AttentionLayout,
  extra: number,
  T: number,
): void {
  const B = layout.offsets.length;
  const stride = dstHeads * hd;
  for (let b = 0; b < B; b++) {
    const len = layout.lengths[b]! + extra;
    const off = layout.offsets[b]!;
    for (let h = 0; h < nHead; h++) {
      const base = (b * nHead + h) * T * hd;
      const dh = Math.floor(h / group) * hd;
      for (let t = 0; t < len; t++) {
        const d = (off + t) * stride + dh;
        const o = base + t * hd;
        for (let i = 0; i < hd; i++) dst[d + i]! += src[o + i]!;
      }
    }
  }
}

/**
 * Causal scaled-dot-product attention over packed sequences: no query attends outside its own
 * sequence. q = [rows, nHead·hd]; k, v = [keyRows, nHeadKv·hd]. Every (sequence, head) pair's
 * products run as ONE batched product per step. Query head h reads key/value head
 * ⌊h / (nHead / nHeadKv)⌋, as llama.cpp's GQA does.
 */
export async function attentionForward(
  q: Arr,
  k: Arr,
  v: Arr,
  layout: AttentionLayout,
  shape: AttentionShape,
  keep: boolean,
): Promise<{ out: Arr; cache?: AttentionCache }> {
  const { nHead, nHeadKv, headDim: hd } = shape;
  const group = nHead / nHeadKv;
  const { past, maxLength: Tq, lengths } = layout;
  const Tk = past + Tq;
  const G = lengths.length * nHead;
  const scale = 1 / Math.sqrt(hd);
  const qg = gather(q, nHead, 1, nHead, hd, layout, 0, Tq);
  const kg = gather(k, nHeadKv, group, nHead, hd, layout, past, Tk);
  const s = await batchedGemm(qg, kg, G, Tq, Tk, hd, false, true);
  for (let g = 0; g < G; g++) {
    const len = lengths[Math.floor(g / nHead)]!;
    for (let t = 0; t < Tq; t++) {
      const row = (g * Tq + t) * Tk;
      // Padding rows (t ≥ len) get zero probabilities: they read nothing and pass no gradient.
      const last = t < len ? past + t : -1;
      let max = -Infinity;
      for (let j = 0; j <= last; j++) {
        const val = s[row + j]! * scale;
        if (val > max) max = val;
      }
      let sum = 0;
      for (let j = 0; j <= last; j++) {
        const e = Math.exp(s[row + j]! * scale - max);
        s[row + j] = e;
        sum += e;
      }
      const inv = 1 / sum;
      for (let j = 0; j <= last; j++) s[row + j]! *= inv;
      s.fill(0, row + last + 1, row + Tk);
    }
  }
  const vg = gather(v, nHeadKv, group, nHead, hd, layout, past, Tk);
  const og = await batchedGemm(s, vg, G, Tq, hd, Tk);
  const rows = layout.offsets.at(-1)! + lengths.at(-1)!;
  const out = zerosLike(q, rows * nHead * hd);
  scatterAdd(out, og, nHead, 1, nHead, hd, layout, 0, Tq);
  if (!keep) return { out };
  const keyRows = rows + past;
  return { out, cache: { qg, kg, vg, probs: s, layout, rows, keyRows } };
}

/**
 * Backward: dS = P∘(dP − rowsum(dP∘P))·scale with dP = dO·Vᵀ; dq = dS·K, dk = dSᵀ·Q,
 * dv = Pᵀ·dO, each one batched product over every (sequence, head).
 */
export async function attentionBackward(
  dOut: Arr,
  cache: AttentionCache,
  shape: AttentionShape,
): Promise<{ dq: Arr; dk: Arr; dv: Arr }> {
  const { nHead, nHeadKv, headDim: hd } = shape;
  const { qg, kg, vg, probs: P, layout } = cache;
  const group = nHead / nHeadKv;
  const { past, maxLength: Tq, lengths } = layout;
  const Tk = past + Tq;
  const G = lengths.length * nHead;
  const scale = 1 / Math.sqrt(hd);
  const dOg = gather(dOut, nHead, 1, nHead, hd, layout, 0, Tq);
  const dS = await batchedGemm(dOg, vg, G, Tq, Tk, hd, false, true);
  for (let g = 0; g < G; g++) {
    const len = lengths[Math.floor(g / nHead)]!;
    for (let t = 0; t < Tq; t++) {
      const row = (g * Tq + t) * Tk;
      // P is zero past the causal limit (and on padding rows), so dS is too.
      const last = t < len ? past + t : -1;
      let dot = 0;
      for (let j = 0; j <= last; j++) dot += dS[row + j]! * P[row + j]!;
      for (let j = 0; j <= last; j++) dS[row + j] = P[row + j]! * (dS[row + j]! - dot) * scale;
      dS.fill(0, row + last + 1, row + Tk);
    }
  }
  const dQg = await batchedGemm(dS, kg, G, Tq, hd, Tk);
  const dKg = await batchedGemm(dS, qg, G, Tk, hd, Tq, true, false);
  const dVg = await batchedGemm(P, dOg, G, Tk, hd, Tq, true, false);
  const dq = zerosLike(dOut, cache.rows * nHead * hd);
  const dk = zerosLike(dOut, cache.keyRows * nHeadKv * hd);
  const dv = zerosLike(dOut, cache.keyRows * nHeadKv * hd);
  scatterAdd(dq, dQg, nHead, 1, nHead, hd, layout, 0, Tq);
  scatterAdd(dk, dKg, nHeadKv, group, nHead, hd, layout, past, Tk);
  scatterAdd(dv, dVg, nHeadKv, group, nHead, hd, layout, past, Tk);
  return { dq, dk, dv };
}
