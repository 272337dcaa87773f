import { availableParallelism } from "node:os";
import type { Arr } from "./array.ts";
import { gemmTs } from "./gemm-ts.ts";
import { gemmModelBytes } from "./onnx-gemm-model.ts";

type OrtModule = typeof import("onnxruntime-node");
type Session = import("onnxruntime-node").InferenceSession;

/** Which kernel ran the last products: useful for benchmarks and the docs. */
export interface GemmStats {
  ortCalls: number;
  tsCalls: number;
  flops: number;
}

/** Options of the kernel dispatcher. */
export interface GemmOptions {
  /** onnxruntime intra-op threads (default: min(available cores, 4)). */
  threads?: number;
  /**
   * Products with fewer multiply-adds (M·N·K) than this run in TypeScript: below it the ~80 µs
   * cost of an onnxruntime call exceeds the work (default 65536, measured in bench/train.ts).
   */
  minOrtWork?: number;
  /** Set false to never use onnxruntime (tests of the fallback, or a machine where it breaks). */
  useOrt?: boolean;
}

const defaults: Required<GemmOptions> = {
  threads: 0,
  minOrtWork: 65536,
  useOrt: process.env["CHORUS_TRAIN_NO_ORT"] !== "1",
};
let options: Required<GemmOptions> = { ...defaults };
let ortPromise: Promise<OrtModule | undefined> | undefined;
const sessions = new Map<string, Promise<Session | undefined>>();
/** Running counters; reset with `resetGemmStats`. */
export const gemmStats: GemmStats = { ortCalls: 0, tsCalls: 0, flops: 0 };

/** Changes the dispatcher's options (drops cached sessions when the thread count changes). */
export function configureGemm(next: GemmOptions): void {
  if (next.threads !== undefined && next.threads !== options.threads) sessions.clear();
  options = { ...options, ...next };
}

export function resetGemmStats(): void {
  gemmStats.ortCalls = 0;
  gemmStats.tsCalls = 0;
  gemmStats.flops = 0;
}

async function loadOrt(): Promise<OrtModule | undefined> {
  ortPromise ??= import("onnxruntime-node").then(
    (m) => ((m as { default?: OrtModule }).default ?? m) as OrtModule,
    () => undefined,
  );
  return ortPromise;
}

/** One session per transpose combination: the model's dims are symbolic, so any size fits. */
async function session(transA: boolean, transB: boolean): Promise<Session | undefined> {
  const key = `${transA}-${transB}`;
  let s = sessions.get(key);
  if (!s) {
    s = (async () => {
      const ort = await loadOrt();
      if (!ort) return undefined;
      const threads = options.threads > 0 ? options.threads : defaultThreads();
      try {
        return await ort.InferenceSession.create(gemmModelBytes(transA, transB), {
          intraOpNumThreads: threads,
          interOpNumThreads: 1,
          graphOptimizationLevel: "all",
        });
      } catch {
        return undefined;
      }
    })();
    sessions.set(key, s);
  }
  return s;
}

function defaultThreads(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

/** True when onnxruntime-node loaded and builds sessions on this machine. */
export async function ortAvailable(): Promise<boolean> {
  return (await session(false, false)) !== undefined;
}

/**
 * `C[M,N] = op(A) · op(B)`: A is [M,K] (or [K,M] with `transA`), B is [K,N] (or [N,K] with
 * `transB`), row-major. Float32 products above the size threshold go to onnxruntime's MLAS
 * kernel; small products, float64 (gradient checks) and machines without onnxruntime use the
 * TypeScript kernel.
 */
export async function gemm(
  a: Arr,
  b: Arr,
  m: number,
  n: number,
  k: number,
  transA = false,
  transB = false,
): Promise<Arr> {
  gemmStats.flops += 2 * m * n * k;
  if (
    options.useOrt &&
    a instanceof Float32Array &&
    b instanceof Float32Array &&
    m * n * k >= options.minOrtWork
  ) {
    const s = await session(transA, transB);
    if (s) {
      const ort = (await loadOrt())!;
      const A = new ort.Tensor("float32", a, transA ? [k, m] : [m, k]);
      const B = new ort.Tensor("float32", b, transB ? [n, k] : [k, n]);
      const out = await s.run({ A, B });
      gemmStats.ortCalls++;
      return out["Y"]!.data as Float32Array;
    }
  }
  gemmStats.tsCalls++;
  return gemmTs(a, b, m, n, k, transA, transB);
}
