/**
 * The vocabulary head with its log-softmax as ONE onnxruntime graph: logits Z = X·Wᵀ, L =
 * log-softmax(Z), the target's log-probability L[r, y_r] and the mean over the vocabulary.
 * The [rows, vocab] logits never leave onnxruntime, whose kernels run the softmax on its own
 * threads (in TypeScript it was the largest elementwise work of a step, on one core).
 */
import {
  intAttr,
  intsAttr,
  modelBytes,
  node,
  onnxFloat,
  onnxInt32,
  valueInfo,
} from "./onnx-proto.ts";

/**
 * What the graph outputs besides the scores (T, M: [R, 1]): "none" for inference, "probs"
 * the softmax P [R, V] (a trainable W's gradient needs it), "probsTimesW" P·W [R, d], which is
 * all the backward of a frozen W needs (see `vocabHeadScores`).
 */
export type VocabHeadExtra = "none" | "probs" | "probsTimesW";

/** Inputs X [R, d] (final-normed rows), W [V, d], Y [R, 1] int32 targets. */
export function vocabHeadModelBytes(extra: VocabHeadExtra): Uint8Array {
  const nodes = [
    ...node(["X", "W"], ["Z"], "Gemm", intAttr("transB", 1)),
    ...node(["Z"], ["L"], "LogSoftmax", intAttr("axis", 1)),
    ...node(["L", "Y"], ["T"], "GatherElements", intAttr("axis", 1)),
    ...node(["L"], ["M"], "ReduceMean", intsAttr("axes", [1])),
  ];
  const outputs = [valueInfo("T", onnxFloat, ["R", 1]), valueInfo("M", onnxFloat, ["R", 1])];
  if (extra !== "none") {
    nodes.push(...node(["L"], ["P"], "Exp"));
    if (extra === "probsTimesW") {
      nodes.push(...node(["P", "W"], ["PW"], "MatMul"));
      outputs.push(valueInfo("PW", onnxFloat, ["R", "D"]));
    } else outputs.push(valueInfo("P", onnxFloat, ["R", "V"]));
  }
  return modelBytes(
    nodes,
    [
      valueInfo("X", onnxFloat, ["R", "D"]),
      valueInfo("W", onnxFloat, ["V", "D"]),
      valueInfo("Y", onnxInt32, ["R", 1]),
    ],
    outputs,
  );
}
