import { type Arr, zerosLike } from "./array.ts";
import { batchedGemm } from "./batched-gemm.ts";

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

/** What the backward needs: the inputs and the [G, Tq, Tk] softmax probabilities. */
export interface AttentionCache {
  q: Arr;
  k: Arr;
  v: Arr;
  probs: Arr;
  layout: AttentionLayout;
}

/**
 * Copies heads out of packed rows ([rows, srcHeads·hd]) into [G, T, hd] (or [G, hd, T] with
 * `transposed`), G = sequences × nHead, zero-padded to T rows; query head h reads source head
 * ⌊h / group⌋ (GQA). Padding lets one batched product serve sequences of different lengths.
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
  transposed: boolean,
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
        if (transposed) for (let i = 0; i < hd; i++) out[base + i * T + t] = src[s + i]!;
        else out.set(src.subarray(s, s + hd), base + t * hd);
      }
    }
  }
  return out;
}

/** The inverse of `gather`: adds [G, T, hd] (or transposed) blocks back into packed rows. */
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
  transposed: boolean,
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
        if (transposed) for (let i = 0; i < hd; i++) dst[d + i]! += src[base + i * T + t]!;
        else for (let i = 0; i < hd; i++) dst[d + i]! += src[base + t * hd + i]!;
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
  const qg = gather(q, nHead, 1, nHead, hd, layout, 0, Tq, false);
  const kT = gather(k, nHeadKv, group, nHead, hd, layout, past, Tk, true);
  const s = await batchedGemm(qg, kT, G, Tq, Tk, hd);
  for (let g = 0; g < G; g++) {
    const len = lengths[Math.floor(g / nHead)]!;
    for (let t = 0; t < Tq; t++) {
      const row = (g * Tq + t) * Tk;
      // Padding rows (t ≥ len) get zero probabilities: they read nothing and pass no gradient.
      const last = t < len ? past + t : -1;
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
      s.fill(0, row + last + 1, row + Tk);
    }
  }
  const vg = gather(v, nHeadKv, group, nHead, hd, layout, past, Tk, false);
  const og = await batchedGemm(s, vg, G, Tq, hd, Tk);
  const rows = layout.offsets.at(-1)! + lengths.at(-1)!;
  const out = zerosLike(q, rows * nHead * hd);
  scatterAdd(out, og, nHead, 1, nHead, hd, layout, 0, Tq, false);
  return keep ? { out, cache: { q, k, v, probs: s, layout } } : { out };
}

/**
 * Backward: dS = P∘(dP − rowsum(dP∘P))·scale with dP = dO·Vᵀ; dq = dS·K, dkᵀ = Qᵀ·dS,
 * dvᵀ = dOᵀ·P, each one batched product (the transposed layouts come from `gather`).
 */
export async function attentionBackward(
  dOut: Arr,
  cache: AttentionCache,
  shape: AttentionShape,
): Promise<{ dq: Arr; dk: Arr; dv: Arr }> {
  const { nHead, nHeadKv, headDim: hd } = shape;
  const { q, k, v, probs: P, layout } = cache;
  const group = nHead / nHeadKv;
  const { past, maxLength: Tq, lengths } = layout;
  const Tk = past + Tq;
  const G = lengths.length * nHead;
  const scale = 1 / Math.sqrt(hd);
  const dOg = gather(dOut, nHead, 1, nHead, hd, layout, 0, Tq, false);
  const vT = gather(v, nHeadKv, group, nHead, hd, layout, past, Tk, true);
  const dS = await batchedGemm(dOg, vT, G, Tq, Tk, hd);
  for (let r = 0; r < G * Tq; r++) {
    const row = r * Tk;
    let dot = 0;
    for (let j = 0; j < Tk; j++) dot += dS[row + j]! * P[row + j]!;
    for (let j = 0; j < Tk; j++) dS[row + j] = P[row + j]! * (dS[row + j]! - dot) * scale;
  }
  const kg = gather(k, nHeadKv, group, nHead, hd, layout, past, Tk, false);
  const dQg = await batchedGemm(dS, kg, G, Tq, hd, Tk);
  const qT = gather(q, nHead, 1, nHead, hd, layout, 0, Tq, true);
  const dKT = await batchedGemm(qT, dS, G, hd, Tk, Tq);
  const dOT = gather(dOut, nHead, 1, nHead, hd, layout, 0, Tq, true);
  const dVT = await batchedGemm(dOT, P, G, hd, Tk, Tq);
  const dq = zerosLike(dOut, q.length);
  const dk = zerosLike(dOut, k.length);
  const dv = zerosLike(dOut, v.length);
  scatterAdd(dq, dQg, nHead, 1, nHead, hd, layout, 0, Tq, false);
  scatterAdd(dk, dKT, nHeadKv, group, nHead, hd, layout, past, Tk, true);
  scatterAdd(dv, dVT, nHeadKv, group, nHead, hd, layout, past, Tk, true);
  return { dq, dk, dv };
}
