import { availableParallelism } from "node:os";
import { type Arr, zerosLike } from "./array.ts";
import { gemmStats } from "./gemm.ts";
import { gemmTs } from "./gemm-ts.ts";

type OrtModule = typeof import("onnxruntime-node");
type Session = import("onnxruntime-node").InferenceSession;

/*
 * A hand-encoded ONNX model: `MatMul` on 3-D inputs with symbolic dims (A [G,M,K] · B [G,K,N]
 * → Y [G,M,N]), with a `Transpose` of the last two dims of an input when its flag is set, which
 * onnxruntime fuses into one FusedMatMul. Attention's per-(sequence, head) products of a whole
 * micro-batch become one call instead of G calls whose fixed cost dominates.
 */
const varint = (value: number): number[] => {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
};
const bytes = (field: number, b: number[]) => [...varint(field * 8 + 2), ...varint(b.length), ...b];
const str = (field: number, s: string) => bytes(field, [...new TextEncoder().encode(s)]);
const int = (field: number, v: number) => [...varint(field * 8), ...varint(v)];

function tensor3(name: string, dims: [string, string, string]): number[] {
  const shape = dims.flatMap((d) => bytes(1, str(2, d)));
  return [...str(1, name), ...bytes(2, bytes(1, [...int(1, 1), ...bytes(2, shape)]))];
}

/** NodeProto: inputs, output, op type (and Transpose's perm = [0, 2, 1]). */
function node(inputs: string[], output: string, op: string): number[] {
  const perm = [...str(1, "perm"), ...int(8, 0), ...int(8, 2), ...int(8, 1), ...int(20, 7)];
  return [
    ...inputs.flatMap((i) => str(1, i)),
    ...str(2, output),
    ...str(4, op),
    ...(op === "Transpose" ? bytes(5, perm) : []),
  ];
}

function batchedMatmulModel(transA: boolean, transB: boolean): Uint8Array {
  const nodes: number[][] = [];
  if (transA) nodes.push(node(["A"], "At", "Transpose"));
  if (transB) nodes.push(node(["B"], "Bt", "Transpose"));
  nodes.push(node([transA ? "At" : "A", transB ? "Bt" : "B"], "Y", "MatMul"));
  const graph = [
    ...nodes.flatMap((n) => bytes(1, n)),
    ...str(2, "g"),
    ...bytes(11, tensor3("A", transA ? ["G", "K", "M"] : ["G", "M", "K"])),
    ...bytes(11, tensor3("B", transB ? ["G", "N", "K"] : ["G", "K", "N"])),
    ...bytes(12, tensor3("Y", ["G", "M", "N"])),
  ];
  const opset = [...str(1, ""), ...int(2, 17)];
  return new Uint8Array([...int(1, 8), ...bytes(8, opset), ...bytes(7, graph)]);
}

let ort: Promise<OrtModule | undefined> | undefined;
const sessions = new Map<string, Promise<Session | undefined>>();
let threads = Math.max(1, Math.min(4, availableParallelism()));
const useOrt = process.env["CHORUS_TRAIN_NO_ORT"] !== "1";
/** Below this many multiply-adds per call the TypeScript kernel is cheaper than a call. */
const minOrtWork = 65536;

/** Thread count of the batched session (follow `configureGemm`'s when benchmarking). */
export function configureBatchedGemm(options: { threads?: number }): void {
  if (options.threads !== undefined && options.threads !== threads) {
    threads = options.threads;
    sessions.clear();
  }
}

async function getSession(transA: boolean, transB: boolean): Promise<Session | undefined> {
  const key = `${transA}-${transB}`;
  const existing = sessions.get(key);
  if (existing) return existing;
  const created = (async () => {
    ort ??= import("onnxruntime-node").then(
      (m) => ((m as { default?: OrtModule }).default ?? m) as OrtModule,
      () => undefined,
    );
    const o = await ort;
    if (!o) return undefined;
    try {
      return await o.InferenceSession.create(batchedMatmulModel(transA, transB), {
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        graphOptimizationLevel: "all",
      });
    } catch {
      return undefined;
    }
  })();
  sessions.set(key, created);
  return created;
}

/**
 * `C[g] = op(A[g]) · op(B[g])` for g < G, with A = [G,M,K] (or [G,K,M] with `transA`) and
 * B = [G,K,N] (or [G,N,K] with `transB`), row-major. Float32 products
 * big enough go to onnxruntime in one call; float64 (gradient checks) and small ones run the
 * TypeScript kernel per g.
 */
export async function batchedGemm(
  a: Arr,
  b: Arr,
  G: number,
  m: number,
  n: number,
  k: number,
  transA = false,
  transB = false,
): Promise<Arr> {
  gemmStats.flops += 2 * G * m * n * k;
  if (
    useOrt &&
    a instanceof Float32Array &&
    b instanceof Float32Array &&
    G * m * n * k >= minOrtWork
  ) {
    const s = await getSession(transA, transB);
    if (s) {
      const o = (await ort)!;
      const out = await s.run({
        A: new o.Tensor("float32", a, transA ? [G, k, m] : [G, m, k]),
        B: new o.Tensor("float32", b, transB ? [G, n, k] : [G, k, n]),
      });
      gemmStats.ortCalls++;
      return out["Y"]!.data as Float32Array;
    }
  }
  const c = zerosLike(a, G * m * n);
  for (let g = 0; g < G; g++) {
    const cg = gemmTs(
      a.subarray(g * m * k, (g + 1) * m * k),
      b.subarray(g * k * n, (g + 1) * k * n),
      m,
      n,
      k,
      transA,
      transB,
    );
    c.set(cg, g * m * n);
  }
  gemmStats.tsCalls += G;
  return c;
}
