/**
 * A llama FFN sub-block with frozen weights — RMSNorm, gate, up, SwiGLU, down, residual — as two
 * onnxruntime graphs, so its elementwise work runs on onnxruntime's threads between the products
 * instead of on the JavaScript thread:
 *
 * forward  H [R,D], Wn [D], Eps [1], Wg/Wu [F,D], Wd [D,F] → Inv = 1/√(mean(H²) + eps),
 *          N = H·Inv·Wn, G = N·Wgᵀ, U = N·Wuᵀ, Y = H + (silu(G) ∘ U)·Wdᵀ;
 * backward dY, G, U, H, Inv, Wn, Wg, Wu, Wd → dA = dY·Wd, S = σ(G), silu = G∘S,
 *          dU = dA∘silu, dG = dA∘U∘(S + silu − silu∘S) (= σ'·G + σ, no constants needed),
 *          dN = dG·Wg + dU·Wu, then RMSNorm's backward plus the residual:
 *          dH = Inv·(Wn∘dN) − H·Inv³·mean(Wn∘dN∘H) + dY.
 */
import { intAttr, intsAttr, modelBytes, node, onnxFloat, valueInfo } from "./onnx-proto.ts";

const f = (name: string, dims: readonly (string | number)[]) => valueInfo(name, onnxFloat, dims);
const transB = intAttr("transB", 1);
const rowMean = intsAttr("axes", [1]);

export function swigluFfnForwardModelBytes(): Uint8Array {
  const nodes = [
    ...node(["H", "H"], ["H2"], "Mul"),
    ...node(["H2"], ["Ms"], "ReduceMean", rowMean),
    ...node(["Ms", "Eps"], ["Ve"], "Add"),
    ...node(["Ve"], ["Rms"], "Sqrt"),
    ...node(["Rms"], ["Inv"], "Reciprocal"),
    ...node(["H", "Inv"], ["Hn"], "Mul"),
    ...node(["Hn", "Wn"], ["N"], "Mul"),
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
      f("H", ["R", "D"]),
      f("Wn", ["D"]),
      f("Eps", [1]),
      f("Wg", ["F", "D"]),
      f("Wu", ["F", "D"]),
      f("Wd", ["D", "F"]),
    ],
    [f("Y", ["R", "D"]), f("G", ["R", "F"]), f("U", ["R", "F"]), f("Inv", ["R", 1])],
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
    ...node(["dN", "Wn"], ["WdN"], "Mul"),
    ...node(["WdN", "H"], ["WdNH"], "Mul"),
    ...node(["WdNH"], ["Dot"], "ReduceMean", rowMean),
    ...node(["Inv", "Inv"], ["Inv2"], "Mul"),
    ...node(["Inv2", "Inv"], ["Inv3"], "Mul"),
    ...node(["Dot", "Inv3"], ["C"], "Mul"),
    ...node(["WdN", "Inv"], ["Scaled"], "Mul"),
    ...node(["H", "C"], ["HC"], "Mul"),
    ...node(["Scaled", "HC"], ["dNorm"], "Sub"),
    ...node(["dNorm", "dY"], ["dH"], "Add"),
  ];
  return modelBytes(
    nodes,
    [
      f("dY", ["R", "D"]),
      f("G", ["R", "F"]),
      f("U", ["R", "F"]),
      f("H", ["R", "D"]),
      f("Inv", ["R", 1]),
      f("Wn", ["D"]),
      f("Wg", ["F", "D"]),
      f("Wu", ["F", "D"]),
      f("Wd", ["D", "F"]),
    ],
    [f("dH", ["R", "D"])],
  );
}
