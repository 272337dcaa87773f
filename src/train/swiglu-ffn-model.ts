/**
 * A llama FFN block with frozen weights as two onnxruntime graphs, so SwiGLU's elementwise
 * work runs on onnxruntime's threads between the products instead of on the JavaScript thread:
 *
 * forward  N [R,D], Wg/Wu [F,D], Wd [D,F], H [R,D] → G = N·Wgᵀ, U = N·Wuᵀ,
 *          Y = H + (silu(G) ∘ U)·Wdᵀ (the residual added by the last Gemm);
 * backward dY, G, U, Wg, Wu, Wd → dA = dY·Wd, S = σ(G), silu = G∘S,
 *          dU = dA∘silu, dG = dA∘U∘(S + silu − silu∘S) (= σ'·G + σ, no constants needed),
 *          dN = dG·Wg + dU·Wu.
 */
import { intAttr, modelBytes, node, onnxFloat, valueInfo } from "./onnx-proto.ts";

const f = (name: string, dims: readonly (string | number)[]) => valueInfo(name, onnxFloat, dims);
const transB = intAttr("transB", 1);

export function swigluFfnForwardModelBytes(): Uint8Array {
  const nodes = [
    ...node(["N", "Wg"], ["G"], "Gemm", transB),
    ...node(["N", "Wu"], ["U"], "Gemm", transB),
    ...node(["G"], ["S"], "Sigmoid"),
    ...node(["G", "S"], ["Silu"], "Mul"),
    ...node(["Silu", "U"], ["A"], "Mul"),
    ...node(["A", "Wd", "H"], ["Y"], "Gemm", transB),
  ];
  return modelBytes(
    nodes,
    [
      f("N", ["R", "D"]),
      f("Wg", ["F", "D"]),
      f("Wu", ["F", "D"]),
      f("Wd", ["D", "F"]),
      f("H", ["R", "D"]),
    ],
    [f("Y", ["R", "D"]), f("G", ["R", "F"]), f("U", ["R", "F"])],
  );
}

export function swigluFfnBackwardModelBytes(): Uint8Array {
  const nodes = [
    ...node(["dY", "Wd"], ["dA"], "MatMul"),
    ...node(["G"], ["S"], "Sigmoid"),
    ...node(["G", "S"], ["Silu"], "Mul"),
    ...node(["dA", "Silu"], ["dU"], "Mul"),
    ...node(["Silu", "S"], ["SiluS"], "Mul"),
    ...node(["S", "Silu"], ["SPlusSilu"], "Add"),
    ...node(["SPlusSilu", "SiluS"], ["dAct"], "Sub"),
    ...node(["dA", "U"], ["dAU"], "Mul"),
    ...node(["dAU", "dAct"], ["dG"], "Mul"),
    ...node(["dU", "Wu"], ["dNu"], "MatMul"),
    ...node(["dG", "Wg", "dNu"], ["dN"], "Gemm"),
  ];
  return modelBytes(
    nodes,
    [
      f("dY", ["R", "D"]),
      f("G", ["R", "F"]),
      f("U", ["R", "F"]),
      f("Wg", ["F", "D"]),
      f("Wu", ["F", "D"]),
      f("Wd", ["D", "F"]),
    ],
    [f("dN", ["R", "D"])],
  );
}
