/**
 * `npm run bench -- llamacpp`: tokens/s of chorus `generate` vs node-llama-cpp's own LlamaCompletion,
 * of the FFI raw-logits loop, and of two lockstep decoder streams, on random GGUFs with the shapes of
 * SmolLM2-135M and Qwen2.5-0.5B (Q8_0, written by src/gguf into the OS temp dir and reused).
 * Env: BENCH_TOKENS (default 48), BENCH_MODELS (comma list of presets).
 */
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LlamaCompletion } from "node-llama-cpp";
import type { LlamaCppModel } from "../src/engines/llamacpp/index.ts";
import { loadLlamaCppModel } from "../src/engines/llamacpp/index.ts";
import { argmax } from "../src/engines/llamacpp/token-logprobs.ts";

const tokens = Number(process.env.BENCH_TOKENS ?? 48);
const presets = (process.env.BENCH_MODELS ?? "smollm2-135m,qwen2.5-0.5b").split(",");
const prompt =
  "The quick brown fox jumps over the lazy dog while the cat watches from the window and thinks about";

const log = (line: string) => process.stderr.write(`${line}\n`);

async function modelFile(preset: string): Promise<string> {
  let gguf: typeof import("../src/gguf/index.ts");
  try {
    gguf = await import("../src/gguf/index.ts");
  } catch {
    throw new Error("the GGUF writer (src/gguf) is not available; cannot generate bench models");
  }
  const dir = join(tmpdir(), "chorus-bench-models");
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${preset}-q8_0.gguf`);
  if (!existsSync(file)) {
    log(`writing ${file} ...`);
    await gguf.writeRandomModel(`${file}.tmp`, {
      preset: preset as "tiny",
      type: "Q8_0",
      seed: 1,
      // Random weights rarely pick EOS, but keep runs the same length: a larger std spreads logits.
      std: 0.05,
    });
    const { rename } = await import("node:fs/promises");
    await rename(`${file}.tmp`, file);
  }
  return file;
}

interface Row {
  preset: string;
  raw: number;
  ours: number;
  ffi: number;
  lockstepPerStream: number;
}

async function timeIt(fn: () => Promise<number>): Promise<number> {
  const t0 = performance.now();
  const n = await fn();
  return n / ((performance.now() - t0) / 1000);
}

async function benchModel(preset: string): Promise<Row> {
  const file = await modelFile(preset);
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
    await runRaw();
    await runOurs();
    // Interleave to spread background load evenly; keep the best of 3 each.
    let raw = 0;
    let ours = 0;
    for (let i = 0; i < 3; i++) {
      raw = Math.max(raw, await timeIt(runRaw));
      ours = Math.max(ours, await timeIt(runOurs));
    }
    completion.dispose();
    await context.dispose();

    // FFI raw-logits loop: our own greedy decode with a JS argmax over the whole vocabulary.
    const decoder = model.decoder();
    const runFfi = async () => {
      const stream = await decoder.open(prompt);
      let logits = stream.logits();
      for (let i = 0; i < tokens; i++) logits = await stream.push(argmax(logits));
      await stream.close();
      return tokens;
    };
    await runFfi();
    const ffi = Math.max(await timeIt(runFfi), await timeIt(runFfi));

    // Two streams in lockstep (AdaCAD): steps/s per stream; each step pushes to both.
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
    await runLockstep();
    const lockstepPerStream = await timeIt(runLockstep);
    await decoder.close();
    return { preset, raw, ours, ffi, lockstepPerStream };
  } finally {
    await model.close();
  }
}

const rows: Row[] = [];
for (const preset of presets) {
  const row = await benchModel(preset);
  rows.push(row);
  log(
    `${preset}: LlamaCompletion ${row.raw.toFixed(1)} tok/s, chorus generate ${row.ours.toFixed(1)} tok/s ` +
      `(ratio ${(row.ours / row.raw).toFixed(3)}), FFI logits loop ${row.ffi.toFixed(1)} tok/s, ` +
      `lockstep 2 streams ${row.lockstepPerStream.toFixed(1)} steps/s (${((2 * row.lockstepPerStream) / row.ffi).toFixed(2)}x of two plain decodes one after the other)`,
  );
}
process.stdout.write(
  `llamacpp bench (${tokens} tokens, greedy, 1 thread/context): ` +
    rows
      .map(
        (r) =>
          `${r.preset} generate/raw=${(r.ours / r.raw).toFixed(3)} ffi/raw=${(r.ffi / r.raw).toFixed(3)} lockstep=${r.lockstepPerStream.toFixed(1)}steps/s`,
      )
      .join("; ") +
    ` (goal generate/raw >= 0.95: ${rows.every((r) => r.ours / r.raw >= 0.95) ? "met" : "NOT met"})\n`,
);
