/**
 * Hand-encoded ONNX models of one `Gemm` node, or a batched `MatMul`, with symbolic input
 * shapes, so one onnxruntime session serves every matrix size.
 */
import { intAttr, intsAttr, modelBytes, node, onnxFloat, valueInfo } from "./onnx-proto.ts";

export { onnxDouble, onnxFloat } from "./onnx-proto.ts";

/**
 * Bytes of a model computing `Y = op(A) · op(B)` where op transposes when the flag is set.
 * A is [M,K] (or [K,M] when transA), B is [K,N] (or [N,K] when transB); irVersion 8, opset 17.
 */
export function gemmModelBytes(transA: boolean, transB: boolean, elemType = onnxFloat): Uint8Array {
  const gemm = node(["A", "B"], ["Y"], "Gemm", [
    ...intAttr("transA", transA ? 1 : 0),
    ...intAttr("transB", transB ? 1 : 0),
  ]);
  return modelBytes(
    gemm,
    [
      valueInfo("A", elemType, transA ? ["K", "M"] : ["M", "K"]),
      valueInfo("B", elemType, transB ? ["N", "K"] : ["K", "N"]),
    ],
    [valueInfo("Y", elemType, ["M", "N"])],
  );
}

/** `perm` [0, 2, 1]: swaps the last two axes of a 3-D tensor. */
const swapLastTwo = intsAttr("perm", [0, 2, 1]);

/**
 * Bytes of a model computing `Y[g] = op(A[g]) · op(B[g])` for every g < G: A is [G,M,K] (or
 * [G,K,M] with transA), B is [G,K,N] (or [G,N,K] with transB). A transposed operand goes through
 * a `Transpose` node that onnxruntime's graph optimizer folds into the product (FusedMatMul), so
 * no transposed copy is made.
 */
export function batchedMatMulModelBytes(
  transA: boolean,
  transB: boolean,
  elemType = onnxFloat,
): Uint8Array {
  const nodes: number[] = [];
  if (transA) nodes.push(...node(["A"], ["At"], "Transpose", swapLastTwo));
  if (transB) nodes.push(...node(["B"], ["Bt"], "Transpose", swapLastTwo));
  nodes.push(...node([transA ? "At" : "A", transB ? "Bt" : "B"], ["Y"], "MatMul"));
  return modelBytes(
    nodes,
    [
      valueInfo("A", elemType, transA ? ["G", "K", "M"] : ["G", "M", "K"]),
      valueInfo("B", elemType, transB ? ["G", "N", "K"] : ["G", "K", "N"]),
    ],
    [valueInfo("Y", elemType, ["G", "M", "N"])],
  );
}
