import ort from "onnxruntime-node";
import { SeededRandom } from "../../src/math/seeded-random.ts";
import { batchedGemm, configureGemm, gemm, gemmOptions } from "../../src/train/gemm.ts";
import { gemmTs } from "../../src/train/gemm-ts.ts";
import { batchedMatMulModelBytes, gemmModelBytes } from "../../src/train/onnx-gemm-model.ts";
import { interleavedMedians } from "./interleaved.ts";

export function randomMatrix(n: number, seed: number): Float32Array {
  const r = new SeededRandom(seed);
  return Float32Array.from({ length: n }, () => r.next() - 0.5);
}

const plainSessions = new Map<string, Promise<ort.InferenceSession>>();

/** onnxruntime-node alone, with its default session options: the yardstick for our kernel. */
function plainSession(kind: "gemm" | "batched", threads: number) {
  const key = `${kind}-${threads}`;
  let s = plainSessions.get(key);
  if (!s) {
    const model =
      kind === "gemm" ? gemmModelBytes(false, true) : batchedMatMulModelBytes(false, true);
    s = ort.InferenceSession.create(model, { intraOpNumThreads: threads });
    plainSessions.set(key, s);
  }
  return s;
}

const gflops = (flop: number, ms: number) => flop / ms / 1e6;

/** GFLOP/s of the trainer's `gemm` vs onnxruntime alone (vs TypeScript) on `[m×k]·[k×n]ᵀ`. */
export async function gemmRates(
  [m, n, k]: readonly [number, number, number],
  threads: number,
  { withTs = true, rounds = 11 }: { withTs?: boolean; rounds?: number } = {},
): Promise<{ ours: number; ort: number; ts?: number }> {
  const a = randomMatrix(m * k, 1);
  const b = randomMatrix(n * k, 2);
  const s = await plainSession("gemm", threads);
  const variants: Record<string, () => unknown> = {
    ours: () => gemm(a, b, m, n, k, false, true),
    ort: () =>
      s.run({
        A: new ort.Tensor("float32", a, [m, k]),
        B: new ort.Tensor("float32", b, [n, k]),
      }),
    ...(withTs ? { ts: () => gemmTs(a, b, m, n, k, false, true) } : {}),
  };
  const ms: Record<string, number> = await interleavedMedians(variants, { rounds });
  const flop = 2 * m * n * k;
  const out = { ours: gflops(flop, ms["ours"]!), ort: gflops(flop, ms["ort"]!) };
  return withTs ? { ...out, ts: gflops(flop, ms["ts"]!) } : out;
}

/**
 * Attention-like batch of G products `[m×k]·[n×k]ᵀ`: one `batchedGemm` call vs one `gemm` call
 * per g vs onnxruntime alone running the batched model. GFLOP/s.
 */
export async function batchedRates(
  G: number,
  [m, n, k]: readonly [number, number, number],
  threads: number,
): Promise<{ batched: number; perProduct: number; ort: number }> {
  const a = randomMatrix(G * m * k, 3);
  const b = randomMatrix(G * n * k, 4);
  const s = await plainSession("batched", threads);
  const ms = await interleavedMedians({
    batched: () => batchedGemm(a, b, G, m, n, k, false, true),
    perProduct: async () => {
      for (let g = 0; g < G; g++)
        await gemm(
          a.subarray(g * m * k, (g + 1) * m * k),
          b.subarray(g * n * k, (g + 1) * n * k),
          m,
          n,
          k,
          false,
          true,
        );
    },
    ort: () =>
      s.run({
        A: new ort.Tensor("float32", a, [G, m, k]),
        B: new ort.Tensor("float32", b, [G, n, k]),
      }),
  });
  const flop = 2 * G * m * n * k;
  return {
    batched: gflops(flop, ms.batched),
    perProduct: gflops(flop, ms.perProduct),
    ort: gflops(flop, ms.ort),
  };
}

/**
 * µs per call of the dispatcher forced to onnxruntime vs the TypeScript kernel on cubes of side
 * s, and the smallest side where onnxruntime wins (what `minOrtWork` should be near).
 */
export async function crossover(sides: readonly number[]): Promise<{
  rows: Array<{ side: number; ortUs: number; tsUs: number }>;
  side: number | undefined;
}> {
  const rows: Array<{ side: number; ortUs: number; tsUs: number }> = [];
  const { minOrtWork } = gemmOptions();
  configureGemm({ minOrtWork: 1 });
  try {
    for (const side of sides) {
      const a = randomMatrix(side * side, 5);
      const b = randomMatrix(side * side, 6);
      const ms = await interleavedMedians(
        {
          ort: () => gemm(a, b, side, side, side, false, true),
          ts: () => gemmTs(a, b, side, side, side, false, true),
        },
        { rounds: 5, minMs: 30 },
      );
      rows.push({ side, ortUs: ms.ort * 1000, tsUs: ms.ts * 1000 });
    }
  } finally {
    configureGemm({ minOrtWork });
  }
  return { rows, side: rows.find((r) => r.ortUs < r.tsUs)?.side };
}
