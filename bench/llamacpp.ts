/**
 * `npm run bench -- llamacpp`: tokens/s of chorus `generate` vs node-llama-cpp's own LlamaCompletion,
 * of the FFI raw-logits loop, and of two lockstep decoder streams, on random GGUFs with the shapes of
 * SmolLM2-135M and Qwen2.5-0.5B (Q8_0, written by src/gguf into the OS temp dir and reused).
 * Env: BENCH_TOKENS (default 32), BENCH_ROUNDS (4), BENCH_MODELS (comma list of presets).
 * Ratios use CPU time of this process (all threads), which stays meaningful on a shared machine.
 */

import { loadavg } from "node:os";
import { LlamaCompletion } from "node-llama-cpp";
import type { LlamaCppModel } from "../src/engines/llamacpp/index.ts";
import { loadLlamaCppModel } from "../src/engines/llamacpp/index.ts";
import { argmax } from "../src/engines/llamacpp/token-logprobs.ts";
import type { ModelPreset } from "../src/gguf/index.ts";
import { benchModelFile, median } from "./support/bench-model.ts";

const tokens = Number(process.env.BENCH_TOKENS ?? 32);
const rounds = Number(process.env.BENCH_ROUNDS ?? 4);
const presets = (process.env.BENCH_MODELS ?? "smollm2-135m,qwen2.5-0.5b").split(",");
const prompt =
  "The quick brown fox jumps over the lazy dog while the cat watches from the window and thinks about";

const log = (line: string) => process.stderr.write(`${line}\n`);

interface Measure {
  /** Tokens per wall-clock second. */
  wall: number;
  /** Tokens per CPU-second of this process (all threads): stable when other jobs share the cores. */
  cpu: number;
}

interface Row {
  preset: string;
  raw: Measure;
  ours: Measure;
  ffi: Measure;
  /** Lockstep steps (one push to each of two streams) per second. */
  lockstep: Measure;
  /** Median over rounds of (generate / LlamaCompletion), by CPU time and by wall time. */
  ratioCpu: number;
  ratioWall: number;
}

async function measure(fn: () => Promise<number>): Promise<Measure> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const n = await fn();
  const wallS = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  const cpuS = (c.user + c.system) / 1e6;
  return { wall: n / wallS, cpu: n / cpuS };
}

const best = (values: Measure[]): Measure => ({
  wall: Math.max(...values.map((v) => v.wall)),
  cpu: Math.max(...values.map((v) => v.cpu)),
});

async function benchModel(preset: string): Promise<Row> {
  const file = await benchModelFile(preset as ModelPreset);
  const model = (await loadLlamaCppModel({
    modelPath: file,
    contextSize: 512,
    parallel: 1,
  })) as LlamaCppModel;
  try {
    // node-llama-cpp's own completion on the same model object, one 1-thread context; both sides
    // reuse the cached prompt prefix between runs.
    const context = await model.llamaModel.createContext({ contextSize: 512, threads: 1 });
    const completion = new LlamaCompletion({ contextSequence: context.getSequence() });
    const runRaw = async () => {
      let count = 0;
      await completion.generateCompletion(prompt, {
        maxTokens: tokens,
        temperature: 0,
        // Same work as chorus generate, which applies no repeat penalty (LlamaCompletion's default
        // penalty adds a sampler stage and per-token JS).
        repeatPenalty: false,
        onToken: (t) => {
          count += t.length;
        },
      });
      return count;
    };
    const runOurs = async () => {
      const r = await model.generate({ prompt, maxTokens: tokens });
      return r.usage.outputTokens;
    };
    // FFI raw-logits loop: our own greedy decode with a JS argmax over the whole vocabulary.
    const decoder = model.decoder();
    const runFfi = async () => {
      const stream = await decoder.open(prompt);
      let logits = stream.logits();
      for (let i = 0; i < tokens; i++) logits = await stream.push(argmax(logits));
      await stream.close();
      return tokens;
    };
    // Two streams in lockstep (AdaCAD): each step pushes the same token to both.
    const runLockstep = async () => {
      const [a, b] = await Promise.all([decoder.open(prompt), decoder.open(`Context: ${prompt}`)]);
      let la = a!.logits();
      for (let i = 0; i < tokens; i++) {
        const t = argmax(la);
        [la] = await Promise.all([a!.push(t), b!.push(t)]);
      }
      await Promise.all([a!.close(), b!.close()]);
      return tokens;
    };
    await runRaw();
    await runOurs();
    await runFfi();
    await runLockstep();
    // Interleaved rounds: background load drifts, so compare within a round and take medians.
    const raw: Measure[] = [];
    const ours: Measure[] = [];
    const ffi: Measure[] = [];
    const lockstep: Measure[] = [];
    for (let i = 0; i < rounds; i++) {
      raw.push(await measure(runRaw));
      ours.push(await measure(runOurs));
      ffi.push(await measure(runFfi));
      lockstep.push(await measure(runLockstep));
    }
    completion.dispose();
    await context.dispose();
    await decoder.close();
    return {
      preset,
      raw: best(raw),
      ours: best(ours),
      ffi: best(ffi),
      lockstep: best(lockstep),
      ratioCpu: median(ours.map((o, i) => o.cpu / raw[i]!.cpu)),
      ratioWall: median(ours.map((o, i) => o.wall / raw[i]!.wall)),
    };
  } finally {
    await model.close();
  }
}

const f = (m: Measure) => `${m.wall.toFixed(1)} (${m.cpu.toFixed(1)}/cpu-s)`;
const rows: Row[] = [];
for (const preset of presets) {
  const row = await benchModel(preset);
  rows.push(row);
  log(
    `${preset}: tok/s wall (per cpu-s): LlamaCompletion ${f(row.raw)}, chorus generate ${f(row.ours)}, ` +
      `FFI logits loop ${f(row.ffi)}, lockstep 2 streams ${f(row.lockstep)} steps; ` +
      `generate/raw median ratio cpu ${row.ratioCpu.toFixed(3)} wall ${row.ratioWall.toFixed(3)}`,
  );
}
process.stdout.write(
  `llamacpp bench (${tokens} tokens x ${rounds} rounds, greedy, 1 thread/context, load ${loadavg()[0]!.toFixed(1)}): ` +
    rows
      .map(
        (r) =>
          `${r.preset} generate/raw=${r.ratioCpu.toFixed(3)} (wall ${r.ratioWall.toFixed(3)}) ` +
          `ffi/raw=${(r.ffi.cpu / r.raw.cpu).toFixed(3)} lockstep/(ffi/2)=${((2 * r.lockstep.cpu) / r.ffi.cpu).toFixed(3)}`,
      )
      .join("; ") +
    ` (goal generate/raw >= 0.95: ${rows.every((r) => r.ratioCpu >= 0.95) ? "met" : "NOT met"})\n`,
);
