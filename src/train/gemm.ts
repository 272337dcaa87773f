import { availableParallelism } from "node:os";
import { type Arr, zerosLike } from "./array.ts";
import { gemmTs } from "./gemm-ts.ts";
import { retainFreedHeap } from "./heap-retention.ts";
import { batchedMatMulModelBytes, gemmModelBytes } from "./onnx-gemm-model.ts";

type OrtModule = typeof import("onnxruntime-node");
type Session = import("onnxruntime-node").InferenceSession;

/** Which kernel ran the last products: useful for benchmarks and the docs. */
export interface GemmStats {
  ortCalls: number;
  tsCalls: number;
  flops: number;
  /** Wall time spent inside onnxruntime calls (the rest of a step is TypeScript). */
  ortSeconds: number;
}

/** Options of the kernel dispatcher. */
export interface GemmOptions {
  /** onnxruntime intra-op threads (default: min(available cores, 4)). */
  threads?: number;
  /**
   * Products with fewer multiply-adds (M·N·K, summed over the batch) than this run in
   * TypeScript: below it the fixed cost of an onnxruntime call (~15–40 µs) exceeds the work
   * (default 65536 ≈ 40³, the crossover `npm run bench -- train` prints).
   */
  minOrtWork?: number;
  /** Set false to never use onnxruntime (tests of the fallback, or a machine where it breaks). */
  useOrt?: boolean;
  /**
   * Run the fused onnxruntime graphs (`runGraph`: vocabulary head + log-softmax, frozen SwiGLU
   * FFN, attention's softmax). false computes their elementwise work in TypeScript around plain
   * products, as before they existed: for A/B benchmarks (`npm run bench -- train --graphs-ab`).
   */
  graphs?: boolean;
  /**
   * Let onnxruntime's worker threads spin between calls (onnxruntime's own default; ours is
   * off). Spinning cuts the wake-up latency of back-to-back products but burns a core while the
   * TypeScript parts of a step run (about 2/3 of a 1M-model step): on the shared 2-core box a
   * 1M-model step took 1.4–1.8× longer with spinning (323–409 vs 582–588 tokens/s).
   */
  spin?: boolean;
  /**
   * On the first product, make glibc keep freed memory for reuse (`retainFreedHeap`): large
   * fresh buffers otherwise cost more in page faults than in arithmetic. Process-wide.
   */
  retainHeap?: boolean;
}

const defaults: Required<GemmOptions> = {
  threads: 0,
  minOrtWork: 65536,
  useOrt: process.env["CHORUS_TRAIN_NO_ORT"] !== "1",
  graphs: true,
  spin: false,
  retainHeap: true,
};
let options: Required<GemmOptions> = { ...defaults };
/** Running counters; reset with `resetGemmStats`. */
export const gemmStats: GemmStats = { ortCalls: 0, tsCalls: 0, flops: 0, ortSeconds: 0 };

// The hot path reads the module and sessions synchronously once they exist: awaiting cached
// promises on every product cost measurable microseconds per call.
let ort: OrtModule | null | undefined;
let ortLoading: Promise<OrtModule | null> | undefined;
/** Opened sessions by model key (null: onnxruntime refused to build it). */
const ready = new Map<string, Session | null>();
const opening = new Map<string, Promise<Session | null>>();
/** Bumped when options drop the sessions, so a session still opening is not cached stale. */
let generation = 0;

/** Changes the dispatcher's options (drops cached sessions when their settings change). */
export function configureGemm(next: GemmOptions): void {
  const rebuild =
    (next.threads !== undefined && next.threads !== options.threads) ||
    (next.spin !== undefined && next.spin !== options.spin);
  options = { ...options, ...next };
  if (rebuild) {
    ready.clear();
    opening.clear();
    generation++;
  }
}

/** The dispatcher's current options (to restore them after a temporary change). */
export function gemmOptions(): Readonly<Required<GemmOptions>> {
  return { ...options };
}

export function resetGemmStats(): void {
  gemmStats.ortCalls = 0;
  gemmStats.tsCalls = 0;
  gemmStats.flops = 0;
  gemmStats.ortSeconds = 0;
}

async function loadOrt(): Promise<OrtModule | null> {
  ortLoading ??= import("onnxruntime-node").then(
    (m) => ((m as { default?: OrtModule }).default ?? m) as OrtModule,
    () => null,
  );
  ort = await ortLoading;
  return ort;
}

function defaultThreads(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

async function openSession(key: string, model: () => Uint8Array): Promise<Session | null> {
  let pending = opening.get(key);
  if (!pending) {
    const threads = options.threads > 0 ? options.threads : defaultThreads();
    const spin = options.spin ? "1" : "0";
    pending = (async () => {
      const m = await loadOrt();
      if (!m) return null;
      try {
        return await m.InferenceSession.create(model(), {
          intraOpNumThreads: threads,
          interOpNumThreads: 1,
          graphOptimizationLevel: "all",
          extra: { session: { intra_op: { allow_spinning: spin } } },
        });
      } catch {
        return null;
      }
    })();
    opening.set(key, pending);
  }
  const gen = generation;
  const s = await pending;
  if (gen === generation) ready.set(key, s);
  return s;
}

function gemmKey(transA: boolean, transB: boolean): string {
  return `gemm-${transA ? "t" : "n"}${transB ? "t" : "n"}`;
}

/** True when onnxruntime is enabled, loaded and builds sessions on this machine. */
export async function ortAvailable(): Promise<boolean> {
  if (!options.useOrt) return false;
  return (await openSession(gemmKey(false, false), () => gemmModelBytes(false, false))) !== null;
}

let firstProduct = true;

function onFirstProduct(): void {
  if (firstProduct) {
    firstProduct = false;
    if (options.retainHeap) retainFreedHeap();
  }
}

function wantsOrt(a: Arr, b: Arr, work: number): boolean {
  onFirstProduct();
  return (
    options.useOrt &&
    a instanceof Float32Array &&
    b instanceof Float32Array &&
    work >= options.minOrtWork
  );
}

async function runOrt(
  s: Session,
  a: Float32Array,
  aDims: number[],
  b: Float32Array,
  bDims: number[],
): Promise<Float32Array> {
  const t0 = performance.now();
  const m = ort!;
  // onnxruntime wants exactly the tensor's size; callers may pass views into longer buffers.
  const sizeA = aDims.reduce((x, y) => x * y, 1);
  const sizeB = bDims.reduce((x, y) => x * y, 1);
  const out = await s.run({
    A: new m.Tensor("float32", a.length === sizeA ? a : a.subarray(0, sizeA), aDims),
    B: new m.Tensor("float32", b.length === sizeB ? b : b.subarray(0, sizeB), bDims),
  });
  gemmStats.ortSeconds += (performance.now() - t0) / 1000;
  gemmStats.ortCalls++;
  return out["Y"]!.data as Float32Array;
}

/** A tensor fed to a graph: float32 values or int32 indices, and its dims. */
export interface GraphInput {
  data: Float32Array | Int32Array;
  dims: readonly number[];
}

/** Whether `runGraph` would run a graph of this much work (`flops`), rather than answer null. */
export function graphWanted(flops: number): boolean {
  return options.useOrt && options.graphs && flops / 2 >= options.minOrtWork;
}

/**
 * Runs a hand-built graph (`model()`, opened once per `key` with the dispatcher's threads) and
 * returns its float32 outputs by name, or null when onnxruntime is off or refuses the graph
 * (the caller then computes the same in TypeScript). `flops` is the work of the products inside
 * the graph, counted in `gemmStats` like `gemm`'s; below `minOrtWork` multiply-adds the call's
 * fixed cost exceeds the work, and the answer is null too.
 */
export async function runGraph(
  key: string,
  model: () => Uint8Array,
  inputs: Readonly<Record<string, GraphInput>>,
  flops: number,
): Promise<Record<string, Float32Array> | null> {
  onFirstProduct();
  if (!graphWanted(flops)) return null;
  const s = ready.get(key) ?? (await openSession(key, model));
  if (!s) return null;
  const t0 = performance.now();
  const m = ort!;
  const feeds: Record<string, InstanceType<OrtModule["Tensor"]>> = {};
  for (const [name, { data, dims }] of Object.entries(inputs)) {
    const size = dims.reduce((x, y) => x * y, 1);
    const exact = data.length === size ? data : data.subarray(0, size);
    feeds[name] =
      exact instanceof Int32Array
        ? new m.Tensor("int32", exact, dims)
        : new m.Tensor("float32", exact, dims);
  }
  const out = await s.run(feeds);
  gemmStats.flops += flops;
  gemmStats.ortSeconds += (performance.now() - t0) / 1000;
  gemmStats.ortCalls++;
  const result: Record<string, Float32Array> = {};
  for (const [name, t] of Object.entries(out)) result[name] = t.data as Float32Array;
  return result;
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
  if (wantsOrt(a, b, m * n * k)) {
    const key = gemmKey(transA, transB);
    const s = ready.get(key) ?? (await openSession(key, () => gemmModelBytes(transA, transB)));
    if (s) {
      return runOrt(
        s,
        a as Float32Array,
        transA ? [k, m] : [m, k],
        b as Float32Array,
        transB ? [n, k] : [k, n],
      );
    }
  }
  gemmStats.tsCalls++;
  return gemmTs(a, b, m, n, k, transA, transB);
}

/**
 * `C[g] = op(A[g]) · op(B[g])` for g < G, in ONE onnxruntime call: A is [G,M,K] (or [G,K,M]
 * with `transA`), B is [G,K,N] (or [G,N,K] with `transB`), C is [G,M,N], row-major. This is for
 * the many small per-(sequence, head) products of attention, whose fixed per-call cost would
 * otherwise dominate. Float64 and small batches run the TypeScript kernel per g.
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
  if (wantsOrt(a, b, G * m * n * k)) {
    const key = `batched-${transA ? "t" : "n"}${transB ? "t" : "n"}`;
    const s =
      ready.get(key) ?? (await openSession(key, () => batchedMatMulModelBytes(transA, transB)));
    if (s) {
      return runOrt(
        s,
        a as Float32Array,
        transA ? [G, k, m] : [G, m, k],
        b as Float32Array,
        transB ? [G, n, k] : [G, k, n],
      );
    }
  }
  const c = zerosLike(a, G * m * n);
  for (let g = 0; g < G; g++) {
    const ag = a.subarray(g * m * k, (g + 1) * m * k);
    const bg = b.subarray(g * k * n, (g + 1) * k * n);
    c.set(gemmTs(ag, bg, m, n, k, transA, transB), g * m * n);
  }
  gemmStats.tsCalls += G;
  return c;
}
