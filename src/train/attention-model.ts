/**
 * Causal attention over gathered heads as onnxruntime graphs, so the softmax and its backward
 * run on onnxruntime's threads between the products (in TypeScript they ran on one core):
 *
 * forward  Q [G,Tq,hd], K/V [G,Tk,hd], Mask [Tq,Tk] (0 or −∞; [G,Tq,Tk] when each sequence
 *          has its own KV-cache length), C [1] (1/√hd) →
 *          P = softmax(C·Q·Kᵀ + Mask), O = P·V;
 * backward dO, P, Q, K, V, C, N [1] (= Tk) → dP = dO·Vᵀ, dS = C·P∘(dP − N·mean_j(dP∘P)),
 *          dQ = dS·K, dK = dSᵀ·Q, dV = Pᵀ·dO.
 * (The row sum is N times ReduceMean: opset 17's ReduceMean takes its axes as an attribute.)
 */
import { intsAttr, modelBytes, node, onnxFloat, valueInfo } from "./onnx-proto.ts";

const f = (name: string, dims: readonly (string | number)[]) => valueInfo(name, onnxFloat, dims);
const swapLastTwo = intsAttr("perm", [0, 2, 1]);

export function attentionForwardModelBytes(mask: "shared" | "per-group" = "shared"): Uint8Array {
  const nodes = [
    ...node(["K"], ["Kt"], "Transpose", swapLastTwo),
    ...node(["Q", "Kt"], ["S"], "MatMul"),
    ...node(["S", "C"], ["Sc"], "Mul"),
    ...node(["Sc", "Mask"], ["Sm"], "Add"),
    ...node(["Sm"], ["P"], "Softmax"),
    ...node(["P", "V"], ["O"], "MatMul"),
  ];
  return modelBytes(
    nodes,
    [
      f("Q", ["G", "Tq", "H"]),
      f("K", ["G", "Tk", "H"]),
      f("V", ["G", "Tk", "H"]),
      f("Mask", mask === "shared" ? ["Tq", "Tk"] : ["G", "Tq", "Tk"]),
      f("C", [1]),
    ],
    [f("O", ["G", "Tq", "H"]), f("P", ["G", "Tq", "Tk"])],
  );
}

export function attentionBackwardModelBytes(): Uint8Array {
  const nodes = [
    ...node(["V"], ["Vt"], "Transpose", swapLastTwo),
    ...node(["dO", "Vt"], ["dP"], "MatMul"),
    ...node(["dP", "P"], ["dPP"], "Mul"),
    ...node(["dPP"], ["Mean"], "ReduceMean", intsAttr("axes", [2])),
    ...node(["Mean", "N"], ["Dot"], "Mul"),
    ...node(["dP", "Dot"], ["Diff"], "Sub"),
    ...node(["P", "Diff"], ["PDiff"], "Mul"),
    ...node(["PDiff", "C"], ["dS"], "Mul"),
    ...node(["dS", "K"], ["dQ"], "MatMul"),
    ...node(["dS"], ["dSt"], "Transpose", swapLastTwo),
    ...node(["dSt", "Q"], ["dK"], "MatMul"),
    ...node(["P"], ["Pt"], "Transpose", swapLastTwo),
    ...node(["Pt", "dO"], ["dV"], "MatMul"),
  ];
  return modelBytes(
    nodes,
    [
      f("dO", ["G", "Tq", "H"]),
      f("P", ["G", "Tq", "Tk"]),
      f("Q", ["G", "Tq", "H"]),
      f("K", ["G", "Tk", "H"]),
      f("V", ["G", "Tk", "H"]),
      f("C", [1]),
      f("N", [1]),
    ],
    [f("dQ", ["G", "Tq", "H"]), f("dK", ["G", "Tk", "H"]), f("dV", ["G", "Tk", "H"])],
  );
}
