import type { Arr } from "./array.ts";
import { attentionBackwardModelBytes, attentionForwardModelBytes } from "./attention-model.ts";
import { type Alloc, freshAlloc } from "./buffer-arena.ts";
import { batchedGemm, graphWanted, runGraph } from "./gemm.ts";

/** Shapes of grouped-query attention: `nHead` query heads share `nHeadKv` key/value heads. */
export interface AttentionShape {
  nHead: number;
  nHeadKv: number;
  headDim: number;
}

/**
 * Where each sequence's rows are: queries of sequence b are rows offsets[b].. of q (lengths[b]
 * of them). Without `pasts` its keys are the same rows of k/v. With `pasts` (decoding: each
 * sequence extends its own KV cache) its keys are rows 0 .. pasts[b] + lengths[b] − 1 of its
 * own k/v view, the cache's earlier positions followed by the new ones.
 */
export interface AttentionLayout {
  offsets: readonly number[];
  lengths: readonly number[];
  maxLength: number;
  pasts?: readonly number[];
}

/** One layer of a sequence's KV cache: keys or values head-major, [nHeadKv, capacity, hd]. */
export interface CachedHeads {
  a: Arr;
  capacity: number;
}

/**
 * One sequence's rows in a source: `count` rows of `view` from row `start`, or the first
 * `count` rows of each head of a cache.
 */
type SequenceRows =
  | { view: HeadsView; start: number; count: number }
  | { heads: CachedHeads; count: number };

/** A [rows, heads·hd] block at column `col` of a matrix whose rows are `stride` wide. */
export interface HeadsView {
  a: Arr;
  stride: number;
  col: number;
}

/** What the backward needs: the per-head inputs ([G, T, hd]) and the [G, Tq, Tk] softmax. */
export interface AttentionCache {
  qg: Arr;
  kg: Arr;
  vg: Arr;
  probs: Arr;
  layout: AttentionLayout;
}

/**
 * Copies heads out of each sequence's rows ([rows, srcHeads·hd], `rowsOf(b)`) into [G, T, hd],
 * G = sequences × nHead, zero-padded to T rows; query head h reads source head ⌊h / group⌋
 * (GQA). Padding lets one batched product serve sequences of different lengths.
 */
function gather(
  rowsOf: (b: number) => SequenceRows,
  B: number,
  group: number,
  nHead: number,
  hd: number,
  T: number,
  alloc: Alloc,
): Arr {
  const first = rowsOf(0);
  const out = alloc.take("heads" in first ? first.heads.a : first.view.a, B * nHead * T * hd);
  for (let b = 0; b < B; b++) {
    const rows = rowsOf(b);
    const len = rows.count;
    for (let h = 0; h < nHead; h++) {
      const base = (b * nHead + h) * T * hd;
      out.fill(0, base + len * hd, base + T * hd);
      if ("heads" in rows) {
        const o = Math.floor(h / group) * rows.heads.capacity * hd;
        out.set(rows.heads.a.subarray(o, o + len * hd), base);
        continue;
      }
      const { view: src, start: off } = rows;
      const sh = src.col + Math.floor(h / group) * hd;
      const a = src.a;
      // An element loop, not set(subarray): head rows are short (hd floats), and a subarray per
      // row cost more than the copy (a decoding step gathers every cached row of the batch).
      for (let t = 0; t < len; t++) {
        const s = (off + t) * src.stride + sh;
        const o = base + t * hd;
        for (let i = 0; i < hd; i++) out[o + i] = a[s + i]!;
      }
    }
  }
  return out;
}

/**
 * The inverse of `gather`: adds [G, T, hd] blocks back into packed rows, or with `add` false
 * writes them (when the blocks cover every entry of `dst` once, so it needs no zeroing).
 */
function scatter(
  dst: HeadsView,
  src: Arr,
  group: number,
  nHead: number,
  hd: number,
  layout: AttentionLayout,
  T: number,
  add = true,
): void {
  const B = layout.offsets.length;
  const a = dst.a;
  for (let b = 0; b < B; b++) {
    const len = layout.lengths[b]!;
    const off = layout.offsets[b]!;
    for (let h = 0; h < nHead; h++) {
      const base = (b * nHead + h) * T * hd;
      const dh = dst.col + Math.floor(h / group) * hd;
      for (let t = 0; t < len; t++) {
        const d = (off + t) * dst.stride + dh;
        const o = base + t * hd;
        if (add) for (let i = 0; i < hd; i++) a[d + i]! += src[o + i]!;
        else a.set(src.subarray(o, o + hd), d);
      }
    }
  }
}

/** Additive causal mask [Tq, Tq]: query t sees keys j ≤ t. The last one is kept. */
let lastMask: { Tq: number; mask: Float32Array } | undefined;
function causalMask(Tq: number): Float32Array {
  if (lastMask?.Tq === Tq) return lastMask.mask;
  const mask = new Float32Array(Tq * Tq);
  for (let t = 0; t < Tq; t++) mask.fill(-Infinity, t * Tq + t + 1, (t + 1) * Tq);
  lastMask = { Tq, mask };
  return mask;
}

/**
 * Additive mask [G, Tq, Tk] of sequences with their own caches: query t of sequence b sees its
 * keys j ≤ pasts[b] + t (padding rows see the same as its last row, so no row is all −∞). Every
 * layer of a pass shares its layout, so the last mask is kept.
 */
let lastCachedMask: { layout: AttentionLayout; mask: Float32Array } | undefined;
function cachedMask(layout: AttentionLayout, nHead: number, Tk: number): Float32Array {
  if (lastCachedMask?.layout === layout) return lastCachedMask.mask;
  const { pasts, lengths, maxLength: Tq } = layout;
  const mask = new Float32Array(lengths.length * nHead * Tq * Tk);
  for (let b = 0; b < lengths.length; b++)
    for (let h = 0; h < nHead; h++)
      for (let t = 0; t < Tq; t++) {
        const row = ((b * nHead + h) * Tq + t) * Tk;
        const last = pasts![b]! + Math.min(t, lengths[b]! - 1);
        mask.fill(-Infinity, row + last + 1, row + Tk);
      }
  lastCachedMask = { layout, mask };
  return mask;
}

/**
 * The forward as one onnxruntime graph (float32), or null (the caller runs the TypeScript
 * path). Padding rows (t ≥ a sequence's length) get probabilities over their zero keys here,
 * unlike the TypeScript path's zero rows: nothing reads their output, and their dO is zero, so
 * they pass no gradient either.
 */
async function attentionGraphForward(
  qg: Arr,
  kg: Arr,
  vg: Arr,
  G: number,
  Tq: number,
  Tk: number,
  hd: number,
  layout: AttentionLayout,
): Promise<{ probs: Arr; out: Arr } | null> {
  if (!(qg instanceof Float32Array && kg instanceof Float32Array && vg instanceof Float32Array))
    return null;
  const work = 4 * G * Tq * Tk * hd;
  if (!graphWanted(work)) return null;
  const { pasts, lengths } = layout;
  const mask = pasts
    ? { data: cachedMask(layout, G / lengths.length, Tk), dims: [G, Tq, Tk] }
    : { data: causalMask(Tq), dims: [Tq, Tk] };
  const r = await runGraph(
    pasts ? "attention-forward-cached" : "attention-forward",
    () => attentionForwardModelBytes(pasts ? "per-group" : "shared"),
    {
      Q: { data: qg, dims: [G, Tq, hd] },
      K: { data: kg, dims: [G, Tk, hd] },
      V: { data: vg, dims: [G, Tk, hd] },
      Mask: mask,
      C: { data: Float32Array.of(1 / Math.sqrt(hd)), dims: [1] },
    },
    work,
  );
  return r ? { probs: r["P"]!, out: r["O"]! } : null;
}

/** P = causal softmax(Q·Kᵀ/√hd) in TypeScript, zero past each row's causal limit. */
async function softmaxScores(
  qg: Arr,
  kg: Arr,
  G: number,
  Tq: number,
  Tk: number,
  hd: number,
  nHead: number,
  layout: AttentionLayout,
): Promise<Arr> {
  const { lengths, pasts } = layout;
  const scale = 1 / Math.sqrt(hd);
  const s = await batchedGemm(qg, kg, G, Tq, Tk, hd, false, true);
  for (let g = 0; g < G; g++) {
    const b = Math.floor(g / nHead);
    const len = lengths[b]!;
    const past = pasts?.[b] ?? 0;
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
  return s;
}

/**
 * Causal scaled-dot-product attention over packed sequences: no query attends outside its own
 * sequence. q = [rows, nHead·hd]; k, v = [keyRows, nHeadKv·hd], each possibly a column block
 * of a wider matrix (the fused q/k/v product) so no copy is made to split them; with
 * `layout.pasts`, each sequence's KV cache (the new rows already appended). Every (sequence, head) pair's
 * products run as ONE batched product per step. Query head h reads key/value head
 * ⌊h / (nHead / nHeadKv)⌋, as llama.cpp's GQA does.
 */
export async function attentionForward(
  q: HeadsView,
  k: HeadsView | readonly CachedHeads[],
  v: HeadsView | readonly CachedHeads[],
  layout: AttentionLayout,
  shape: AttentionShape,
  keep: boolean,
  alloc: Alloc = freshAlloc,
): Promise<{ out: Arr; cache?: AttentionCache }> {
  const { nHead, nHeadKv, headDim: hd } = shape;
  const group = nHead / nHeadKv;
  const { maxLength: Tq, lengths, offsets, pasts } = layout;
  const B = lengths.length;
  if (pasts && keep) throw new Error("attention: passes over KV caches have no backward");
  if ((pasts !== undefined) !== Array.isArray(k) || Array.isArray(k) !== Array.isArray(v))
    throw new Error("attention: per-sequence key views go with layout.pasts, and only with it");
  const keyCount = (b: number) => (pasts?.[b] ?? 0) + lengths[b]!;
  const Tk = pasts ? Math.max(...lengths.map((_, b) => keyCount(b))) : Tq;
  const G = B * nHead;
  const keysOf =
    (src: HeadsView | readonly CachedHeads[]) =>
    (b: number): SequenceRows =>
      Array.isArray(src)
        ? { heads: (src as readonly CachedHeads[])[b]!, count: keyCount(b) }
        : { view: src as HeadsView, start: offsets[b]!, count: lengths[b]! };
  const queries = (b: number) => ({ view: q, start: offsets[b]!, count: lengths[b]! });
  const qg = gather(queries, B, 1, nHead, hd, Tq, alloc);
  const kg = gather(keysOf(k), B, group, nHead, hd, Tk, alloc);
  const vg = gather(keysOf(v), B, group, nHead, hd, Tk, alloc);
  const graph = await attentionGraphForward(qg, kg, vg, G, Tq, Tk, hd, layout);
  const s = graph?.probs ?? (await softmaxScores(qg, kg, G, Tq, Tk, hd, nHead, layout));
  const og = graph?.out ?? (await batchedGemm(s, vg, G, Tq, hd, Tk));
  const rows = layout.offsets.at(-1)! + lengths.at(-1)!;
  // Every row of every head is written exactly once: no zeroing needed.
  const out = alloc.take(q.a, rows * nHead * hd);
  scatter({ a: out, stride: nHead * hd, col: 0 }, og, 1, nHead, hd, layout, Tq, false);
  return keep ? { out, cache: { qg, kg, vg, probs: s, layout } } : { out };
}

/**
 * Backward: dS = P∘(dP − rowsum(dP∘P))·scale with dP = dO·Vᵀ; dq = dS·K, dk = dSᵀ·Q,
 * dv = Pᵀ·dO, each one batched product over every (sequence, head), added into the given
 * (zeroed) blocks, e.g. the column blocks of the fused q/k/v product's gradient.
 */
export async function attentionBackward(
  dOut: Arr,
  cache: AttentionCache,
  shape: AttentionShape,
  into: { dq: HeadsView; dk: HeadsView; dv: HeadsView },
  alloc: Alloc = freshAlloc,
): Promise<void> {
  const { nHead, nHeadKv, headDim: hd } = shape;
  const layout = cache.layout;
  const group = nHead / nHeadKv;
  // Training passes never read a KV cache (attentionForward refuses to keep one): Tk = Tq.
  const { maxLength: Tq, lengths, offsets } = layout;
  const B = lengths.length;
  const G = B * nHead;
  const scale = 1 / Math.sqrt(hd);
  const dO = { a: dOut, stride: nHead * hd, col: 0 };
  const rowsOf = (b: number) => ({ view: dO, start: offsets[b]!, count: lengths[b]! });
  const dOg = gather(rowsOf, B, 1, nHead, hd, Tq, alloc);
  const graph = await attentionGraphBackward(dOg, cache, G, Tq, Tq, hd);
  const { dQg, dKg, dVg } =
    graph ?? (await attentionBackwardTs(dOg, cache, G, Tq, Tq, hd, nHead, scale));
  scatter(into.dq, dQg, 1, nHead, hd, layout, Tq);
  scatter(into.dk, dKg, group, nHead, hd, layout, Tq);
  scatter(into.dv, dVg, group, nHead, hd, layout, Tq);
}

/** The backward as one onnxruntime graph (float32), or null. */
async function attentionGraphBackward(
  dOg: Arr,
  cache: AttentionCache,
  G: number,
  Tq: number,
  Tk: number,
  hd: number,
): Promise<{ dQg: Arr; dKg: Arr; dVg: Arr } | null> {
  const { qg, kg, vg, probs } = cache;
  const f32 = [dOg, qg, kg, vg, probs].every((a) => a instanceof Float32Array);
  if (!f32) return null;
  const r = await runGraph(
    "attention-backward",
    attentionBackwardModelBytes,
    {
      dO: { data: dOg as Float32Array, dims: [G, Tq, hd] },
      P: { data: probs as Float32Array, dims: [G, Tq, Tk] },
      Q: { data: qg as Float32Array, dims: [G, Tq, hd] },
      K: { data: kg as Float32Array, dims: [G, Tk, hd] },
      V: { data: vg as Float32Array, dims: [G, Tk, hd] },
      C: { data: Float32Array.of(1 / Math.sqrt(hd)), dims: [1] },
      N: { data: Float32Array.of(Tk), dims: [1] },
    },
    8 * G * Tq * Tk * hd,
  );
  return r ? { dQg: r["dQ"]!, dKg: r["dK"]!, dVg: r["dV"]! } : null;
}

/** The backward in TypeScript and batched products. */
async function attentionBackwardTs(
  dOg: Arr,
  cache: AttentionCache,
  G: number,
  Tq: number,
  Tk: number,
  hd: number,
  nHead: number,
  scale: number,
): Promise<{ dQg: Arr; dKg: Arr; dVg: Arr }> {
  const { qg, kg, vg, probs: P, layout } = cache;
  const { lengths } = layout;
  const dS = await batchedGemm(dOg, vg, G, Tq, Tk, hd, false, true);
  for (let g = 0; g < G; g++) {
    const len = lengths[Math.floor(g / nHead)]!;
    for (let t = 0; t < Tq; t++) {
      const row = (g * Tq + t) * Tk;
      // P is zero past the causal limit (and on padding rows), so dS is too.
      const last = t < len ? t : -1;
      let dot = 0;
      for (let j = 0; j <= last; j++) dot += dS[row + j]! * P[row + j]!;
      for (let j = 0; j <= last; j++) dS[row + j] = P[row + j]! * (dS[row + j]! - dot) * scale;
      dS.fill(0, row + last + 1, row + Tk);
    }
  }
  return {
    dQg: await batchedGemm(dS, kg, G, Tq, hd, Tk),
    dKg: await batchedGemm(dS, qg, G, Tk, hd, Tq, true, false),
    dVg: await batchedGemm(P, dOg, G, Tk, hd, Tq, true, false),
  };
}
