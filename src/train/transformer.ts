import type { SeededRandom } from "../math/seeded-random.ts";
import { type Arr, addInto } from "./array.ts";
import {
  type AttentionCache,
  type AttentionLayout,
  attentionBackward,
  attentionForward,
  type CachedHeads,
  type HeadsView,
} from "./attention.ts";
import { type Alloc, BufferArena, freshAlloc } from "./buffer-arena.ts";
import { type FusedCache, fusedLinearBackward, fusedLinearForward } from "./fused-linear.ts";
import { gemm } from "./gemm.ts";
import { appendKv, type KvCache, kvCapacity } from "./kv-cache.ts";
import {
  type Linear,
  type LinearCache,
  linearBackward,
  linearForward,
  type PassContext,
} from "./linear.ts";
import { type Packing, packSequences } from "./packing.ts";
import type { Param } from "./param.ts";
import { type RmsNormCache, rmsNormBackward, rmsNormForward } from "./rms-norm.ts";
import { type RopeSpec, RopeTable, type RopeType } from "./rope.ts";
import { type FfnBlock, type FfnCache, swigluFfnBackward, swigluFfnForward } from "./swiglu-ffn.ts";
import { vocabHeadScores } from "./vocab-head.ts";

export type { KvCache } from "./kv-cache.ts";

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
 * token's row and may change it in place; `position` is the row's position within its own
 * sequence (batched passes pack several sequences). The backward treats an edit as additive (identity
 * Jacobian), which is exact for steering vectors and approximate for gated edits.
 */
export interface ResidualHook {
  layer: number;
  site?: "residual" | "o-proj-input";
  edit(h: Arr, info: { position: number }): void;
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

/** Options of `forwardBatch`: those of `forward`, per sequence. */
export interface BatchForwardOptions {
  train?: boolean;
  rng?: SeededRandom;
  /** Hooks see each row with its position within its own sequence. */
  hooks?: readonly ResidualHook[];
  /** Sequence b gets logits for its positions ≥ logitsFrom[b] only (default 0: all). */
  logitsFrom?: readonly number[];
  /**
   * One KV cache per sequence (batched decoding): sequence b continues `kv[b]` (positions from
   * its length) and extends it with its tokens. Not with `train`.
   */
  kv?: readonly KvCache[];
}

export interface BatchForwardResult {
  /** [Σ logit rows, vocab]: sequence b's rows start at row `logitOffsets[b]`. */
  logits: Arr;
  logitOffsets: number[];
  /** Present with `train`: one backward for the whole batch from dL/dlogits. */
  backward?: (dLogits: Arr) => Promise<void>;
}

export interface BatchScoreResult {
  /** log p(target) and mean_v log p(v) of each scored row (sequence b's from logitOffsets[b]). */
  target: Float64Array;
  meanAll: Float64Array;
  logitOffsets: number[];
  /** Present with `train`: accumulates every trainable parameter's gradient. */
  backward?: (gTarget: ArrayLike<number>, gMean: ArrayLike<number>) => Promise<void>;
}

interface BlockCache {
  attnNorm: RmsNormCache;
  qkv: FusedCache;
  attn: AttentionCache;
  o: LinearCache;
  /** The FFN sub-block's, its RMSNorm included. */
  ffn: FfnCache;
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
    this.rope = new RopeTable(this.ropeSpec);
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

  /** cos/sin per position, shared by every pass of this model. */
  private readonly rope: RopeTable;

  /**
   * Reuse activation and gradient buffers from one pass to the next (a pass gives its buffers
   * back when its backward, or an inference forward, ends). Off: fresh buffers every time, as
   * before; kept switchable for the A/B benchmark. Passes with hooks always use fresh buffers,
   * since a hook may keep the row views it is given.
   */
  reuseBuffers = true;
  private readonly arena = new BufferArena();

  private ffnBlock(b: Block): FfnBlock {
    const l = b.linears;
    const eps = this.config.normEps;
    return { norm: b.ffnNorm, eps, gate: l.ffn_gate, up: l.ffn_up, down: l.ffn_down };
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

  /** Runs the decoder over `tokens`; see `ForwardOptions`. A batch of one `forwardBatch`. */
  async forward(tokens: readonly number[], options: ForwardOptions = {}): Promise<ForwardResult> {
    const kv = options.kv;
    if (options.train && kv) throw new Error("forward: training passes cannot extend a KV cache");
    const T = tokens.length;
    const from = options.lastOnly ? T - 1 : (options.logitsFrom ?? 0);
    const packing = packSequences([tokens], [from], this.config.vocabSize, kv?.length ?? 0);
    const r = await this.logitsHead(await this.trunk(packing, options, kv && [kv]));
    return r.backward ? { logits: r.logits, T, backward: r.backward } : { logits: r.logits, T };
  }

  /**
   * Runs the decoder over several sequences packed into one activation matrix: every linear is
   * one product over all their rows, attention stays causal within each sequence, and the
   * vocabulary head runs only on the rows that `logitsFrom` asks for.
   */
  async forwardBatch(
    sequences: readonly (readonly number[])[],
    options: BatchForwardOptions = {},
  ): Promise<BatchForwardResult> {
    const kv = options.kv;
    if (kv && options.train)
      throw new Error("forwardBatch: training passes cannot extend KV caches");
    if (kv && kv.length !== sequences.length)
      throw new RangeError(
        `forwardBatch: ${kv.length} KV caches for ${sequences.length} sequences`,
      );
    const pos0 = kv?.map((c) => c.length) ?? 0;
    const packing = packSequences(sequences, options.logitsFrom ?? [], this.config.vocabSize, pos0);
    const r = await this.logitsHead(await this.trunk(packing, options, kv));
    const out: BatchForwardResult = { logits: r.logits, logitOffsets: packing.logitOffsets };
    if (r.backward) out.backward = r.backward;
    return out;
  }

  /**
   * Teacher-forced scores of packed sequences: row r of the head (sequence b's positions ≥
   * `logitsFrom[b]`, in order; `logitOffsets[b]` is b's first) scores `targets[r]` under the
   * vocabulary log-softmax, and the [rows, vocab] logits never come back (`vocabHeadScores`).
   * With `train`, one backward from dL/dtarget and dL/dmeanAll (one entry per row).
   */
  async scoreBatch(
    sequences: readonly (readonly number[])[],
    logitsFrom: readonly number[],
    targets: readonly number[],
    options: Omit<BatchForwardOptions, "logitsFrom"> = {},
  ): Promise<BatchScoreResult> {
    const packing = packSequences(sequences, logitsFrom, this.config.vocabSize);
    if (packing.logitRows.length !== targets.length)
      throw new RangeError(
        `scoreBatch: ${targets.length} targets for ${packing.logitRows.length} scored rows`,
      );
    const t = await this.trunk(packing, options);
    const head = await vocabHeadScores(t.hidden, this.output, targets, t.backward !== undefined);
    const out: BatchScoreResult = {
      target: head.target,
      meanAll: head.meanAll,
      logitOffsets: packing.logitOffsets,
    };
    const trunkBackward = t.backward;
    const headBackward = head.backward;
    if (!trunkBackward || !headBackward) {
      t.release();
      return out;
    }
    out.backward = async (gTarget, gMean) => trunkBackward(await headBackward(gTarget, gMean));
    return out;
  }

  /**
   * The decoder up to the vocabulary head: the final-normed rows that need logits ([R, d], R =
   * `p.logitRows.length`) and, when training, the backward from their gradient. The rows are
   * the pass's buffer: call `release` once nothing reads them (a training pass releases when
   * its backward ends). With `kvs`, sequence b extends its own cache `kvs[b]`.
   */
  private async trunk(
    p: Packing,
    options: { train?: boolean; rng?: SeededRandom; hooks?: readonly ResidualHook[] },
    kvs?: readonly KvCache[],
  ): Promise<TrunkPass> {
    const c = this.config;
    const d = c.nEmbd;
    const rows = p.rows;
    const train = options.train ?? false;
    const hooks = options.hooks ?? [];
    const lease = this.reuseBuffers && hooks.length === 0 ? this.arena.lease() : undefined;
    const alloc: Alloc = lease ?? freshAlloc;
    const ctx: PassContext = options.rng ? { train, rng: options.rng, alloc } : { train, alloc };
    const emb = this.tokenEmbd.data;
    let x = alloc.take(emb, rows * d);
    for (let r = 0; r < rows; r++) {
      const o = p.tokens[r]! * d;
      x.set(emb.subarray(o, o + d), r * d);
    }
    const caches: BlockCache[] = [];
    const qDim = c.nHead * c.headDim;
    const kvDim = c.nHeadKv * c.headDim;
    const qkvDim = qDim + 2 * kvDim;
    const shape = { nHead: c.nHead, nHeadKv: c.nHeadKv, headDim: c.headDim };
    const layout: AttentionLayout = {
      offsets: p.offsets,
      lengths: p.lengths,
      maxLength: p.maxLength,
    };
    if (kvs) layout.pasts = kvs.map((c) => c.length);
    const runHooks = (l: number, site: "residual" | "o-proj-input", h: Arr, width: number) => {
      for (const hook of hooks) {
        if (hook.layer !== l || (hook.site ?? "residual") !== site) continue;
        for (let r = 0; r < rows; r++)
          hook.edit(h.subarray(r * width, (r + 1) * width), { position: p.positions[r]! });
      }
    };
    for (let l = 0; l < c.nLayer; l++) {
      const b = this.blocks[l]!;
      const an = rmsNormForward(x, b.attnNorm, rows, c.normEps, alloc);
      const qkvLins = [b.linears.attn_q, b.linears.attn_k, b.linears.attn_v];
      const qkv = await fusedLinearForward(qkvLins, an.y, rows, ctx);
      // q, k and v stay column blocks of the fused product (rotated and read in place).
      const y = qkv.y;
      this.rope.apply(y, p.positions, c.nHead, false, qkvDim, 0);
      this.rope.apply(y, p.positions, c.nHeadKv, false, qkvDim, qDim);
      const q = { a: y, stride: qkvDim, col: 0 };
      let k: HeadsView | CachedHeads[] = { a: y, stride: qkvDim, col: qDim };
      let v: HeadsView | CachedHeads[] = { a: y, stride: qkvDim, col: qDim + kvDim };
      if (kvs) {
        // Each sequence's new keys/values go after its own cache's rows.
        k = [];
        v = [];
        for (const [b, cache] of kvs.entries()) {
          const src = { a: y, stride: qkvDim, kCol: qDim, vCol: qDim + kvDim };
          appendKv(
            cache,
            l,
            { ...src, row0: p.offsets[b]!, rows: p.lengths[b]! },
            c.nHeadKv,
            c.headDim,
          );
          const kb = cache.k[l]!;
          const vb = cache.v[l]!;
          k.push({ a: kb, capacity: kvCapacity(kb, c.nHeadKv, c.headDim) });
          v.push({ a: vb, capacity: kvCapacity(vb, c.nHeadKv, c.headDim) });
        }
      }
      const at = await attentionForward(q, k, v, layout, shape, train, alloc);
      runHooks(l, "o-proj-input", at.out, qDim);
      const o = await linearForward(b.linears.attn_output, at.out, rows, ctx);
      // h = x + attention: accumulate into the projection's fresh output instead of a new buffer.
      const h = o.y;
      for (let i = 0; i < h.length; i++) h[i]! += x[i]!;
      const { out, cache: ffn } = await swigluFfnForward(this.ffnBlock(b), h, rows, ctx);
      runHooks(l, "residual", out, d);
      if (train) {
        caches.push({
          attnNorm: an.cache,
          qkv: qkv.cache,
          attn: at.cache!,
          o: o.cache,
          ffn,
        });
      }
      x = out;
    }
    if (kvs) for (const [b, cache] of kvs.entries()) cache.length += p.lengths[b]!;
    // The vocabulary head only on the rows that need logits (often a small part of the batch).
    const lr = p.logitRows;
    const R = lr.length;
    const all = R === rows;
    const xin = all ? x : alloc.take(x, R * d);
    if (!all) for (let i = 0; i < R; i++) xin.set(x.subarray(lr[i]! * d, (lr[i]! + 1) * d), i * d);
    const fin = rmsNormForward(xin, this.outputNorm, R, c.normEps, alloc);
    const release = () => lease?.release();
    if (!train) return { hidden: fin.y, release };
    let ran = false;
    const backward = async (dHidden: Arr): Promise<void> => {
      if (ran && lease)
        throw new Error("backward: this pass's buffers were reused; run a new forward first");
      ran = true;
      try {
        await backprop(dHidden);
      } finally {
        release();
      }
    };
    // dHidden is the caller's fresh gradient: the norm's backward overwrites it.
    const backprop = async (dHidden: Arr): Promise<void> => {
      const dTail = rmsNormBackward(dHidden, this.outputNorm, fin.cache);
      let dx = dTail;
      if (!all) {
        dx = alloc.zeros(dTail, rows * d);
        for (let i = 0; i < R; i++) dx.set(dTail.subarray(i * d, (i + 1) * d), lr[i]! * d);
      }
      for (let l = c.nLayer - 1; l >= 0; l--) {
        const b = this.blocks[l]!;
        const bc = caches[l]!;
        // out = h + down(swiglu(gate(norm(h)), up(norm(h))))
        const dh = await swigluFfnBackward(this.ffnBlock(b), bc.ffn, dx, rows, alloc);
        // h = x + o(attn(rope(q(norm x)), rope(k(norm x)), v(norm x)))
        const dAttn = (await linearBackward(b.linears.attn_output, bc.o, dh, rows))!;
        const dQkv = alloc.zeros(dAttn, rows * qkvDim);
        await attentionBackward(
          dAttn,
          bc.attn,
          shape,
          {
            dq: { a: dQkv, stride: qkvDim, col: 0 },
            dk: { a: dQkv, stride: qkvDim, col: qDim },
            dv: { a: dQkv, stride: qkvDim, col: qDim + kvDim },
          },
          alloc,
        );
        this.rope.apply(dQkv, p.positions, c.nHead, true, qkvDim, 0);
        this.rope.apply(dQkv, p.positions, c.nHeadKv, true, qkvDim, qDim);
        const qkvLins = [b.linears.attn_q, b.linears.attn_k, b.linears.attn_v];
        const dAn = await fusedLinearBackward(qkvLins, bc.qkv, dQkv, rows, alloc);
        dx = rmsNormBackward(dAn, b.attnNorm, bc.attnNorm, dh);
      }
      const ge = this.tokenEmbd.grad;
      if (ge) {
        for (let r = 0; r < rows; r++) {
          const o = p.tokens[r]! * d;
          for (let i = 0; i < d; i++) ge[o + i]! += dx[r * d + i]!;
        }
      }
    };
    return { hidden: fin.y, release, backward };
  }

  /** Logits of the trunk's rows (the product's own output, never a leased buffer). */
  private async logitsHead(
    t: TrunkPass,
  ): Promise<{ logits: Arr; backward?: (dLogits: Arr) => Promise<void> }> {
    const { vocabSize: V, nEmbd: d } = this.config;
    const R = t.hidden.length / d;
    const logits = await gemm(t.hidden, this.output.data, R, V, d, false, true);
    const trunkBackward = t.backward;
    if (!trunkBackward) {
      t.release();
      return { logits };
    }
    const backward = async (dLogits: Arr): Promise<void> => {
      if (this.output.grad)
        addInto(this.output.grad, await gemm(dLogits, t.hidden, V, d, R, true, false));
      await trunkBackward(await gemm(dLogits, this.output.data, R, d, V));
    };
    return { logits, backward };
  }
}

/** What `trunk` hands the head: see there. */
interface TrunkPass {
  hidden: Arr;
  release: () => void;
  backward?: (dHidden: Arr) => Promise<void>;
}
