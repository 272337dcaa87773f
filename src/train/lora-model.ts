/**
 * A LoRA adapter's products as one onnxruntime graph each way, instead of two calls forward
 * and four backward (a 135M step with adapters on q/k/v/o made 720 such small calls):
 *
 * forward  X [T,in], A [r,in], B [out,r], S [1] (alpha/rank) → U = X·Aᵀ, D = S·(U·Bᵀ);
 * backward dY [T,out], X, U, A, B, S → dU = S·(dY·B), gB = S·(dYᵀ·U), gA = dUᵀ·X, dX = dU·A.
 */
import { intAttr, modelBytes, node, onnxFloat, valueInfo } from "./onnx-proto.ts";

const f = (name: string, dims: readonly (string | number)[]) => valueInfo(name, onnxFloat, dims);

export function loraForwardModelBytes(): Uint8Array {
  const nodes = [
    ...node(["X", "A"], ["U"], "Gemm", intAttr("transB", 1)),
    ...node(["U", "B"], ["D0"], "Gemm", intAttr("transB", 1)),
    ...node(["D0", "S"], ["D"], "Mul"),
  ];
  return modelBytes(
    nodes,
    [f("X", ["T", "I"]), f("A", ["R", "I"]), f("B", ["O", "R"]), f("S", [1])],
    [f("U", ["T", "R"]), f("D", ["T", "O"])],
  );
}

export function loraBackwardModelBytes(): Uint8Array {
  const nodes = [
    ...node(["dY", "B"], ["dU0"], "MatMul"),
    ...node(["dU0", "S"], ["dU"], "Mul"),
    ...node(["dY", "U"], ["gB0"], "Gemm", intAttr("transA", 1)),
    ...node(["gB0", "S"], ["gB"], "Mul"),
    ...node(["dU", "X"], ["gA"], "Gemm", intAttr("transA", 1)),
    ...node(["dU", "A"], ["dX"], "MatMul"),
  ];
  return modelBytes(
    nodes,
    [
      f("dY", ["T", "O"]),
      f("X", ["T", "I"]),
      f("U", ["T", "R"]),
      f("A", ["R", "I"]),
      f("B", ["O", "R"]),
      f("S", [1]),
    ],
    [f("gB", ["O", "R"]), f("gA", ["R", "I"]), f("dX", ["T", "I"])],
  );
}
