import assert from "node:assert/strict";
import { test } from "node:test";
import { SeededRandom } from "../math/seeded-random.ts";
import { configureGemm, gemmOptions, gemmStats, ortAvailable, resetGemmStats } from "./gemm.ts";
import { type Linear, linearBackward, linearForward } from "./linear.ts";
import { enableGrad, type Param } from "./param.ts";

function param(name: string, shape: [number, number], seed: number): Param {
  const rng = new SeededRandom(seed);
  const data = Float32Array.from({ length: shape[0] * shape[1] }, () => 0.3 * rng.normal());
  return { name, shape, data };
}

function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string) {
  assert.equal(got.length, want.length, what);
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i]! - want[i]!) / Math.max(1, Math.abs(want[i]!));
    assert.ok(err < 1e-4, `${what}[${i}]: ${got[i]} vs ${want[i]}`);
  }
}

test("a LoRA adapter's onnxruntime graphs equal its products one by one (dropout, dx, gradients)", async () => {
  if (!(await ortAvailable())) return;
  const { minOrtWork } = gemmOptions();
  const [T, inF, outF, rank] = [9, 20, 12, 3];
  const x = param("x", [T, inF], 1).data;
  const dy = param("dy", [T, outF], 2).data;
  const run = async (useOrt: boolean) => {
    configureGemm({ useOrt, minOrtWork: 1 });
    const a = param("a", [rank, inF], 3);
    const b = param("b", [outF, rank], 4);
    enableGrad(a);
    enableGrad(b);
    const lin: Linear = {
      w: param("w", [outF, inF], 5),
      lora: { a, b, rank, alpha: 6, dropout: 0.25 },
    };
    resetGemmStats();
    const rng = new SeededRandom(9);
    const f = await linearForward(lin, x, T, { train: true, rng });
    const dx = await linearBackward(lin, f.cache, dy, T);
    return { y: f.y, dx: dx!, ga: a.grad!, gb: b.grad!, calls: gemmStats.ortCalls };
  };
  const ts = await run(false);
  const graph = await run(true);
  configureGemm({ useOrt: true, minOrtWork });
  assert.equal(ts.calls, 0);
  assert.equal(graph.calls, 4, "forward: base + adapter graph; backward: base dx + adapter graph");
  assertClose(graph.y, ts.y, "y");
  assertClose(graph.dx, ts.dx, "dx");
  assertClose(graph.ga, ts.ga, "dA");
  assertClose(graph.gb, ts.gb, "dB");
});
