import { SeededRandom } from "../math/seeded-random.ts";
import { ConfigError } from "../model/errors.ts";
import type { Arr } from "./array.ts";
import type { LoraAdapter } from "./linear.ts";
import { enableGrad, type Param } from "./param.ts";
import { type LinearName, linearNames, type Transformer } from "./transformer.ts";

/** HF/PEFT module names accepted as LoRA targets, mapped to the GGUF tensor names. */
const hfNames: Record<string, LinearName> = {
  q_proj: "attn_q",
  k_proj: "attn_k",
  v_proj: "attn_v",
  o_proj: "attn_output",
  gate_proj: "ffn_gate",
  up_proj: "ffn_up",
  down_proj: "ffn_down",
};

/** Where and how to attach LoRA adapters. */
export interface LoraConfig {
  rank: number;
  /** Scale numerator: the update is (alpha / rank)·B·A. Default 2·rank. */
  alpha?: number;
  dropout?: number;
  /** Linear weights to adapt, GGUF (`attn_q`) or PEFT (`q_proj`) names. Default: q, k, v, o. */
  targets?: readonly string[];
  /** Layer indices to adapt (default: all). */
  layers?: readonly number[];
  seed?: number;
  /** "zeros" (PEFT default: the adapter starts as a no-op) or "random" (tests). */
  initB?: "zeros" | "random";
}

/** Resolves target names to GGUF linear names, with a clear error for unknown ones. */
export function resolveLoraTargets(targets: readonly string[]): LinearName[] {
  return targets.map((t) => {
    if ((linearNames as readonly string[]).includes(t)) return t as LinearName;
    const mapped = hfNames[t];
    if (!mapped) {
      throw new ConfigError(
        `unknown LoRA target "${t}"; use one of ${[...linearNames, ...Object.keys(hfNames)].join(", ")}`,
        "targets",
      );
    }
    return mapped;
  });
}

/**
 * Attaches trainable LoRA factors (A: kaiming-like normal, B: zeros) to the chosen linears and
 * freezes nothing else: call it on a model whose own weights have no gradient buffers.
 * Returns the adapters' parameters.
 */
export function addLora(model: Transformer, config: LoraConfig): Param[] {
  const rank = config.rank;
  if (!(Number.isInteger(rank) && rank > 0))
    throw new Error(`LoRA rank must be a positive integer, got ${rank}`);
  const alpha = config.alpha ?? 2 * rank;
  const dropout = config.dropout ?? 0;
  const targets = resolveLoraTargets(
    config.targets ?? ["attn_q", "attn_k", "attn_v", "attn_output"],
  );
  const layers = config.layers ?? model.blocks.map((_, i) => i);
  const rng = new SeededRandom(config.seed ?? 0);
  const like = model.tokenEmbd.data;
  const make = (n: number): Arr =>
    like instanceof Float64Array ? new Float64Array(n) : new Float32Array(n);
  const out: Param[] = [];
  for (const l of layers) {
    const block = model.blocks[l];
    if (!block)
      throw new Error(
        `LoRA layer ${l} does not exist (the model has ${model.blocks.length} layers)`,
      );
    for (const t of targets) {
      const lin = block.linears[t];
      const [outF, inF] = lin.w.shape as [number, number];
      const aData = make(rank * inF);
      const std = 1 / Math.sqrt(inF);
      for (let i = 0; i < aData.length; i++) aData[i] = std * rng.normal();
      const bData = make(outF * rank);
      if (config.initB === "random")
        for (let i = 0; i < bData.length; i++) bData[i] = 0.1 * rng.normal();
      const a: Param = { name: `blk.${l}.${t}.weight.lora_a`, shape: [rank, inF], data: aData };
      const b: Param = { name: `blk.${l}.${t}.weight.lora_b`, shape: [outF, rank], data: bData };
      enableGrad(a);
      enableGrad(b);
      const adapter: LoraAdapter = { a, b, rank, alpha, dropout };
      lin.lora = adapter;
      out.push(a, b);
    }
  }
  return out;
}

/** Every LoRA adapter currently attached, keyed by its GGUF base-weight name. */
export function loraAdapters(model: Transformer): Map<string, LoraAdapter> {
  const out = new Map<string, LoraAdapter>();
  model.blocks.forEach((b, l) => {
    for (const n of linearNames) {
      const lora = b.linears[n].lora;
      if (lora) out.set(`blk.${l}.${n}.weight`, lora);
    }
  });
  return out;
}

/** Detaches every adapter (the reference model of DPO/NPO is the base without them). */
export function removeLora(model: Transformer): void {
  for (const b of model.blocks) for (const n of linearNames) delete b.linears[n].lora;
}
