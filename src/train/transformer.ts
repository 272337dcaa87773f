import type { SeededRandom } from "../math/seeded-random.ts";
import { type Arr, addInto, zerosLike } from "./array.ts";
import { type AttentionCache, attentionBackward, attentionForward } from "./attention.ts";
import { gemm } from "./gemm.ts";
import {
  type Linear,
  type LinearCache,
  linearBackward,
  linearForward,
  type PassContext,
} from "./linear.ts";
import type { Param } from "./param.ts";
import { type RmsNormCache, rmsNormBackward, rmsNormForward } from "./rms-norm.ts";
import { applyRope, type RopeSpec, type RopeType } from "./rope.ts";
import { swigluBackward, swigluForward } from "./swiglu.ts";

/** Hyper-parameters of a llama-family decoder, as read from the GGUF header. */
export interface TransformerConfig {
  arch: "llama" | "qwen2";
  vocabSize: number;
  nEmbd: number;
  nLayer: number;
  nHead: number;
  nHeadKv: number;
  headDim: number;
  nFf: number;
  normEps: number;
  ropeBase: number;
  ropeDims: number;
  ropeType: RopeType;
  /** True when the file has no `output.weight` and the head reuses `token_embd`. */
  tiedOutput: boolean;
}

/** The linear weights of a block, by their GGUF names (LoRA targets use the same names). */
export const linearNames = [
  "attn_q",
  "attn_k",
  "attn_v",
  "attn_output",
  "ffn_gate",
  "ffn_up",
  "ffn_down",
] as const;
export type LinearName = (typeof linearNames)[number];

export interface Block {
  attnNorm: Param;
  ffnNorm: Param;
  linears: Record<LinearName, Linear>;
}

/**
 * A residual-stream edit after block `layer` (llama.cpp's `l_out-<layer>`), or with
 * `site: "o-proj-input"` an edit of block `layer`'s attention output (the concatenated heads,
 * n_head·head_dim wide) before `attn_output` (llama.cpp's `kqv_out-<layer>`): `edit` gets one
 * token's row and may change it in place. The backward treats an edit as additive (identity
 * Jacobian), which is exact for steering vectors and approximate for gated edits.
 */
export interface ResidualHook {
  layer: number;
  site?: "residual" | "o-proj-input";
  edit(h: Arr, info: { position: number }): void;
}

/** Keys and values of earlier positions, per layer, for incremental decoding. */
export interface KvCache {
  k: Arr[];
  v: Arr[];
  length: number;
}

export interface ForwardOptions {
  /** Keep activations for `backward` (and apply LoRA dropout). */
  train?: boolean;
  rng?: SeededRandom;
  hooks?: readonly ResidualHook[];
  /** Extend this cache with the new tokens (positions continue from `kv.length`). */
  kv?: KvCache;
  /** Only compute logits for the last position (generation). */
  lastOnly?: boolean;
  /**
   * Compute logits only for positions ≥ this (default 0): prompt positions of SFT/DPO need
   * none, and the vocabulary head is the largest product of small models.
   */
  logitsFrom?: number;
}

export interface ForwardResult {
  /** [rows, vocab] raw logits for positions logitsFrom..T−1 (rows = T by default, 1 with `lastOnly`). */
  logits: Arr;
  T: number;
  /** Present with `train`: accumulates every trainable parameter's gradient from dL/dlogits. */
  backward?: (dLogits: Arr) => Promise<void>;
}

interface BlockCache {
  attnNorm: RmsNormCache;
  q: LinearCache;
  k: LinearCache;
  v: LinearCache;
  attn: AttentionCache;
  o: LinearCache;
  ffnNorm: RmsNormCache;
  gate: LinearCache;
  up: LinearCache;
  g: Arr;
  u: Arr;
  sig: Arr;
  down: LinearCache;
}

/**
 * A llama/qwen2 decoder with explicit forward and backward passes. Weights live in `params`
 * under their GGUF names; a parameter trains when it has a gradient buffer (`enableGrad`).
 */
export class Transformer {
  readonly blocks: Block[];
  readonly tokenEmbd: Param;
  readonly outputNorm: Param;
  readonly output: Param;

  constructor(
    readonly config: TransformerConfig,
    readonly params: Map<string, Param>,
  ) {
    const get = (name: string): Param => {
      const p = params.get(name);
      if (!p) throw new Error(`transformer: missing weight "${name}"`);
      return p;
    };
    this.tokenEmbd = get("token_embd.weight");
    this.outputNorm = get("output_norm.weight");
    this.output = config.tiedOutput ? this.tokenEmbd : get("output.weight");
    this.blocks = [];
    for (let l = 0; l < config.nLayer; l++) {
      const lin = (n: LinearName): Linear => {
        const bias = params.get(`blk.${l}.${n}.bias`);
        return bias ? { w: get(`blk.${l}.${n}.weight`), bias } : { w: get(`blk.${l}.${n}.weight`) };
      };
      this.blocks.push({
        attnNorm: get(`blk.${l}.attn_norm.weight`),
        ffnNorm: get(`blk.${l}.ffn_norm.weight`),
        linears: {
          attn_q: lin("attn_q"),
          attn_k: lin("attn_k"),
          attn_v: lin("attn_v"),
          attn_output: lin("attn_output"),
          ffn_gate: lin("ffn_gate"),
          ffn_up: lin("ffn_up"),
          ffn_down: lin("ffn_down"),
        },
      });
    }
  }

  get ropeSpec(): RopeSpec {
    const c = this.config;
    return { type: c.ropeType, dims: c.ropeDims, base: c.ropeBase, headDim: c.headDim };
  }

  /** Every parameter that currently has a gradient buffer, LoRA factors included. */
  trainableParams(): Param[] {
    const out: Param[] = [];
    for (const p of this.params.values()) if (p.grad) out.push(p);
    for (const b of this.blocks)
      for (const n of linearNames) {
        const lora = b.linears[n].lora;
        if (lora?.a.grad) out.push(lora.a);
        if (lora?.b.grad) out.push(lora.b);
      }
    return out;
  }

  /** An empty KV cache for incremental decoding. */
  newKvCache(): KvCache {
    return { k: [], v: [], length: 0 };
  }

  /** Runs the decoder over `tokens`; see `ForwardOptions`. */
  async forward(tokens: readonly number[], options: ForwardOptions = {}): Promise<ForwardResult> {
    const c = this.config;
    const T = tokens.length;
    const d = c.nEmbd;
    const train = options.train ?? false;
    const ctx: PassContext = options.rng ? { train, rng: options.rng } : { train };
    const kv = options.kv;
    if (train && kv) throw new Error("forward: training passes cannot extend a KV cache");
    const pos0 = kv?.length ?? 0;
    const like = this.tokenEmbd.data;
    let x = zerosLike(like, T * d);
    for (let t = 0; t < T; t++) {
      const tok = tokens[t]!;
      if (!(tok >= 0 && tok < c.vocabSize))
        throw new RangeError(`token id ${tok} is outside the vocabulary`);
      x.set(this.tokenEmbd.data.subarray(tok * d, (tok + 1) * d), t * d);
    }
    const caches: BlockCache[] = [];
    const qDim = c.nHead * c.headDim;
    const kvDim = c.nHeadKv * c.headDim;
    const shape = { nHead: c.nHead, nHeadKv: c.nHeadKv, headDim: c.headDim };
    for (let l = 0; l < c.nLayer; l++) {
      const b = this.blocks[l]!;
      const an = rmsNormForward(x, b.attnNorm, T, c.normEps);
      const q = await linearForward(b.linears.attn_q, an.y, T, ctx);
      const k = await linearForward(b.linears.attn_k, an.y, T, ctx);
      const v = await linearForward(b.linears.attn_v, an.y, T, ctx);
      const qr = q.y;
      const kr = k.y;
      applyRope(qr, T, c.nHead, this.ropeSpec, pos0);
      applyRope(kr, T, c.nHeadKv, this.ropeSpec, pos0);
      let kAll = kr;
      let vAll = v.y;
      if (kv) {
        const prevK = kv.k[l];
        const prevV = kv.v[l];
        if (prevK && prevV) {
          kAll = zerosLike(like, prevK.length + kr.length);
          kAll.set(prevK);
          kAll.set(kr, prevK.length);
          vAll = zerosLike(like, prevV.length + v.y.length);
          vAll.set(prevV);
          vAll.set(v.y, prevV.length);
        }
        kv.k[l] = kAll;
        kv.v[l] = vAll;
      }
      const Tk = pos0 + T;
      const at = await attentionForward(qr, kAll, vAll, T, Tk, shape, train);
      for (const hook of options.hooks ?? []) {
        if (hook.layer !== l || hook.site !== "o-proj-input") continue;
        for (let t = 0; t < T; t++)
          hook.edit(at.out.subarray(t * qDim, (t + 1) * qDim), { position: pos0 + t });
      }
      const o = await linearForward(b.linears.attn_output, at.out, T, ctx);
      const h = zerosLike(like, T * d);
      for (let i = 0; i < h.length; i++) h[i] = x[i]! + o.y[i]!;
      const fn = rmsNormForward(h, b.ffnNorm, T, c.normEps);
      const gate = await linearForward(b.linears.ffn_gate, fn.y, T, ctx);
      const up = await linearForward(b.linears.ffn_up, fn.y, T, ctx);
      const { h: act, sig } = swigluForward(gate.y, up.y);
      const down = await linearForward(b.linears.ffn_down, act, T, ctx);
      const out = zerosLike(like, T * d);
      for (let i = 0; i < out.length; i++) out[i] = h[i]! + down.y[i]!;
      for (const hook of options.hooks ?? []) {
        if (hook.layer !== l || (hook.site ?? "residual") !== "residual") continue;
        for (let t = 0; t < T; t++)
          hook.edit(out.subarray(t * d, (t + 1) * d), { position: pos0 + t });
      }
      if (train) {
        caches.push({
          attnNorm: an.cache,
          q: q.cache,
          k: k.cache,
          v: v.cache,
          attn: at.cache!,
          o: o.cache,
          ffnNorm: fn.cache,
          gate: gate.cache,
          up: up.cache,
          g: gate.y,
          u: up.y,
          sig,
          down: down.cache,
        });
      }
      x = out;
    }
    if (kv) kv.length = pos0 + T;
    const from = options.lastOnly ? T - 1 : Math.min(Math.max(0, options.logitsFrom ?? 0), T - 1);
    const rows = T - from;
    const xin = from > 0 ? x.subarray(from * d) : x;
    const fin = rmsNormForward(xin, this.outputNorm, rows, c.normEps);
    const logits = await gemm(fin.y, this.output.data, rows, c.vocabSize, d, false, true);
    if (!train) return { logits, T };
    const backward = async (dLogits: Arr): Promise<void> => {
      if (this.output.grad)
        addInto(this.output.grad, await gemm(dLogits, fin.y, c.vocabSize, d, rows, true, false));
      const dTail = rmsNormBackward(
        await gemm(dLogits, this.output.data, rows, d, c.vocabSize),
        this.outputNorm,
        fin.cache,
      );
      let dx = dTail;
      if (from > 0) {
        dx = zerosLike(dTail, T * d);
        dx.set(dTail, from * d);
      }
      for (let l = c.nLayer - 1; l >= 0; l--) {
        const b = this.blocks[l]!;
        const bc = caches[l]!;
        // out = h + down(swiglu(gate(norm(h)), up(norm(h))))
        const dAct = (await linearBackward(b.linears.ffn_down, bc.down, dx, T))!;
        const { dg, du } = swigluBackward(dAct, bc.g, bc.u, bc.sig);
        const dFn = (await linearBackward(b.linears.ffn_gate, bc.gate, dg, T))!;
        addInto(dFn, (await linearBackward(b.linears.ffn_up, bc.up, du, T))!);
        const dh = rmsNormBackward(dFn, b.ffnNorm, bc.ffnNorm);
        addInto(dh, dx);
        // h = x + o(attn(rope(q(norm x)), rope(k(norm x)), v(norm x)))
        const dAttn = (await linearBackward(b.linears.attn_output, bc.o, dh, T))!;
        const { dq, dk, dv } = await attentionBackward(dAttn, bc.attn, shape);
        applyRope(dq, T, c.nHead, this.ropeSpec, pos0, true);
        applyRope(dk, T, c.nHeadKv, this.ropeSpec, pos0, true);
        const dAn = (await linearBackward(b.linears.attn_q, bc.q, dq.subarray(0, T * qDim), T))!;
        addInto(dAn, (await linearBackward(b.linears.attn_k, bc.k, dk.subarray(0, T * kvDim), T))!);
        addInto(dAn, (await linearBackward(b.linears.attn_v, bc.v, dv.subarray(0, T * kvDim), T))!);
        const dxa = rmsNormBackward(dAn, b.attnNorm, bc.attnNorm);
        addInto(dxa, dh);
        dx = dxa;
      }
      const ge = this.tokenEmbd.grad;
      if (ge) {
        for (let t = 0; t < T; t++) {
          const o = tokens[t]! * d;
          for (let i = 0; i < d; i++) ge[o + i]! += dx[t * d + i]!;
        }
      }
    };
    return { logits, T, backward };
  }
}
