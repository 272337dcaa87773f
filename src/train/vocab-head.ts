import { type Arr, addInto, zerosLike } from "./array.ts";
import { gemm, runGraph } from "./gemm.ts";
import type { Param } from "./param.ts";
import { tokenLogProbs, tokenLogProbsBackward } from "./token-logprobs.ts";
import { type VocabHeadExtra, vocabHeadModelBytes } from "./vocab-head-model.ts";

/** Teacher-forced scores of the head's rows and, when training, their backward. */
export interface HeadScores {
  /** log p(targets[r]) of each row. */
  target: Float64Array;
  /** mean_v log p(v) of each row (label smoothing's term). */
  meanAll: Float64Array;
  /**
   * dL/dX from dL/dtarget and dL/dmeanAll (one entry per row); accumulates W's gradient when
   * W has one. Runs once.
   */
  backward?: (gTarget: ArrayLike<number>, gMean: ArrayLike<number>) => Promise<Arr>;
}

function checkTargets(targets: readonly number[], V: number): Int32Array {
  const y = Int32Array.from(targets);
  for (const [r, t] of y.entries())
    if (!(t >= 0 && t < V)) throw new RangeError(`target ${t} of row ${r} is not in [0, ${V})`);
  return y;
}

/**
 * Scores of `targets` under the vocabulary head W ([V, d]) applied to the rows X ([R, d], the
 * final-normed hidden states): log-softmax over X·Wᵀ, without handing the [R, V] logits back.
 *
 * The backward of a frozen W needs only P·W ([R, d], P the softmax), computed in the forward:
 * dZ = gMean/V − (gTarget + gMean)·P + gTarget·onehot(y), so
 * dX_r = (gMean_r/V)·Σ_v W_v − (gTarget_r + gMean_r)·(P·W)_r + gTarget_r·W_{y_r}.
 * That is the same product the backward used to run on dZ, moved into the forward, and the
 * backward becomes [R, d] work. A trainable W (tied embeddings trained in full) keeps P for
 * dW = dZᵀ·X. float32 runs as one onnxruntime graph (`vocabHeadModelBytes`); float64 (gradient
 * checks) and machines without onnxruntime compute the same in TypeScript.
 */
export async function vocabHeadScores(
  x: Arr,
  w: Param,
  targets: readonly number[],
  train: boolean,
): Promise<HeadScores> {
  const [V, d] = w.shape as [number, number];
  const R = targets.length;
  const y = checkTargets(targets, V);
  const extra: VocabHeadExtra = !train ? "none" : w.grad ? "probs" : "probsTimesW";
  const scored = await headGraph(x, w.data, y, V, d, extra);
  const { target, meanAll } = scored;
  if (!train) return { target, meanAll };
  let used = false;
  const backward = async (gTarget: ArrayLike<number>, gMean: ArrayLike<number>) => {
    if (used) throw new Error("vocabulary head: this pass's backward already ran");
    used = true;
    if (scored.probsTimesW) return frozenBackward(scored.probsTimesW, w.data, y, d, gTarget, gMean);
    // dZ overwrites P; dW = dZᵀ·X, dX = dZ·W.
    const dz = tokenLogProbsBackward(scored.probs!, V, targets, gTarget, gMean, scored.probs);
    if (w.grad) addInto(w.grad, await gemm(dz, x, V, d, R, true, false));
    return gemm(dz, w.data, R, d, V);
  };
  return { target, meanAll, backward };
}

interface HeadOutputs {
  target: Float64Array;
  meanAll: Float64Array;
  probs?: Arr;
  probsTimesW?: Arr;
}

async function headGraph(
  x: Arr,
  w: Arr,
  y: Int32Array,
  V: number,
  d: number,
  extra: VocabHeadExtra,
): Promise<HeadOutputs> {
  const R = y.length;
  if (x instanceof Float32Array && w instanceof Float32Array) {
    const flops = (extra === "probsTimesW" ? 4 : 2) * R * V * d;
    const out = await runGraph(
      `vocab-head-${extra}`,
      () => vocabHeadModelBytes(extra),
      { X: { data: x, dims: [R, d] }, W: { data: w, dims: [V, d] }, Y: { data: y, dims: [R, 1] } },
      flops,
    );
    if (out) {
      const res: HeadOutputs = {
        target: Float64Array.from(out["T"]!),
        meanAll: Float64Array.from(out["M"]!),
      };
      if (out["P"]) res.probs = out["P"];
      if (out["PW"]) res.probsTimesW = out["PW"];
      return res;
    }
  }
  const z = await gemm(x, w, R, V, d, false, true);
  const { target, meanAll } = tokenLogProbs(z, V, [...y], extra !== "none");
  if (extra === "none") return { target, meanAll };
  if (extra === "probs") return { target, meanAll, probs: z };
  return { target, meanAll, probsTimesW: await gemm(z, w, R, d, V) };
}

/** dX of a frozen head from P·W (see `vocabHeadScores`): [R, d] work, no pass over [R, V]. */
function frozenBackward(
  pw: Arr,
  w: Arr,
  y: Int32Array,
  d: number,
  gTarget: ArrayLike<number>,
  gMean: ArrayLike<number>,
): Arr {
  const R = y.length;
  const V = w.length / d;
  const dx = zerosLike(pw, R * d);
  let colSum: Float64Array | undefined;
  for (let r = 0; r < R; r++) if ((gMean[r] ?? 0) !== 0) colSum ??= columnSums(w, V, d);
  for (let r = 0; r < R; r++) {
    const gt = gTarget[r] ?? 0;
    const gm = gMean[r] ?? 0;
    const total = gt + gm;
    const o = r * d;
    const wy = y[r]! * d;
    for (let i = 0; i < d; i++) dx[o + i] = gt * w[wy + i]! - total * pw[o + i]!;
    if (gm !== 0) {
      const base = gm / V;
      for (let i = 0; i < d; i++) dx[o + i]! += base * colSum![i]!;
    }
  }
  return dx;
}

/** Σ_v W_v: the head's columns summed over the vocabulary. */
function columnSums(w: Arr, V: number, d: number): Float64Array {
  const s = new Float64Array(d);
  for (let v = 0; v < V; v++) {
    const o = v * d;
    for (let i = 0; i < d; i++) s[i]! += w[o + i]!;
  }
  return s;
}
