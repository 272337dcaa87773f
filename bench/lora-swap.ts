/**
 * `npm run bench -- lora-swap`: time to serve another LoRA adapter on a loaded llama.cpp model
 * (`setLora`) against reloading the model with that adapter, on a random Q8_0 GGUF of SmolLM2-135M's
 * shape with two random rank-16 adapters on attn_q/k/v/output (both written once into the temp dir).
 * Each round alternates the adapter, so every swap changes it, and ends with the model serving it on
 * both paths: a 1-token generate (node-llama-cpp) and one raw-logits pass (FFI). llama.cpp re-plans
 * its graph on the first decode after a swap, so "swap + first call" is the fair comparison;
 * `setLora` alone and the same call without any swap are shown too. Rounds interleave; medians.
 * Env: BENCH_ROUNDS (default 5).
 */

import { existsSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { type LlamaCppModel, loadLlamaCppModel } from "../src/engines/llamacpp/index.ts";
import { writeRandomLora } from "../src/gguf/index.ts";
import { benchModelFile, median } from "./support/bench-model.ts";

const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const log = (line: string) => process.stderr.write(`${line}\n`);

const file = await benchModelFile("smollm2-135m");
const adapters: string[] = [];
for (const seed of [1, 2]) {
  const path = join(tmpdir(), "chorus-bench-models", `smollm2-135m-lora-r16-qkvo-${seed}.gguf`);
  if (!existsSync(path)) {
    const targets = ["attn_q", "attn_k", "attn_v", "attn_output"];
    await writeRandomLora(path, file, { rank: 16, alpha: 16, targets, std: 0.02, seed });
  }
  adapters.push(path);
}

const options = { modelPath: file, contextSize: 256, parallel: 1, gpu: false } as const;

/** The first call after a change: one generated token and one raw-logits pass. */
async function firstCall(model: LlamaCppModel): Promise<void> {
  await model.generate({ prompt: "The quick brown fox", maxTokens: 1, temperature: 0 });
  await model.internals!.logits("The quick brown fox");
}

const swapped = await loadLlamaCppModel(options);
await firstCall(swapped);
let reloaded = await loadLlamaCppModel({ ...options, lora: [{ path: adapters[1]! }] });
await firstCall(reloaded);

/** Wall and CPU milliseconds of `fn` (CPU time of this process, all threads: steadier on a shared machine). */
async function timed(fn: () => Promise<unknown>): Promise<{ wall: number; cpu: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const c = process.cpuUsage(c0);
  return { wall: performance.now() - t0, cpu: (c.user + c.system) / 1000 };
}

const rows: Record<"call" | "setLora" | "swap" | "reload", { wall: number; cpu: number }[]> = {
  call: [],
  setLora: [],
  swap: [],
  reload: [],
};
for (let round = 0; round < rounds; round++) {
  const path = adapters[round % 2]!;
  rows.call.push(await timed(() => firstCall(swapped)));
  let set = { wall: 0, cpu: 0 };
  rows.swap.push(
    await timed(async () => {
      set = await timed(() => swapped.setLora([{ path }]));
      await firstCall(swapped);
    }),
  );
  rows.setLora.push(set);
  rows.reload.push(
    await timed(async () => {
      await reloaded.close();
      reloaded = await loadLlamaCppModel({ ...options, lora: [{ path }] });
      await firstCall(reloaded);
    }),
  );
  const f = (key: keyof typeof rows) =>
    `${rows[key].at(-1)!.wall.toFixed(0)} ms (cpu ${rows[key].at(-1)!.cpu.toFixed(0)})`;
  log(
    `round ${round + 1}: call without a swap ${f("call")}, setLora ${f("setLora")}, swap + call ${f("swap")}, reload + call ${f("reload")}`,
  );
}
await swapped.close();
await reloaded.close();

const med = (key: keyof typeof rows, by: "wall" | "cpu") => median(rows[key].map((r) => r[by]));
const ratio = (by: "wall" | "cpu") =>
  median(rows.reload.map((r, i) => r[by] / rows.swap[i]![by])).toFixed(1);
const m = (key: keyof typeof rows) =>
  `${med(key, "wall").toFixed(0)} ms (cpu ${med(key, "cpu").toFixed(0)} ms)`;
process.stdout.write(
  `lora-swap bench (smollm2-135m Q8_0, rank-16 q/k/v/o adapters, ${rounds} rounds, load ${loadavg()[0]!.toFixed(1)}, medians): ` +
    `setLora ${m("setLora")}; call without swap ${m("call")}, swap + call ${m("swap")}, reload + call ${m("reload")}; ` +
    `reload/swap ${ratio("cpu")}x by cpu, ${ratio("wall")}x by wall\n`,
);
