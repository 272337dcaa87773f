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

const steadyMs: number[] = [];
const setLoraMs: number[] = [];
const swapMs: number[] = [];
const reloadMs: number[] = [];
for (let round = 0; round < rounds; round++) {
  const path = adapters[round % 2]!;
  let t0 = performance.now();
  await firstCall(swapped);
  steadyMs.push(performance.now() - t0);

  t0 = performance.now();
  await swapped.setLora([{ path }]);
  const t1 = performance.now();
  await firstCall(swapped);
  setLoraMs.push(t1 - t0);
  swapMs.push(performance.now() - t0);

  t0 = performance.now();
  await reloaded.close();
  reloaded = await loadLlamaCppModel({ ...options, lora: [{ path }] });
  await firstCall(reloaded);
  reloadMs.push(performance.now() - t0);
  log(
    `round ${round + 1}: the same call without a swap ${steadyMs.at(-1)!.toFixed(1)} ms, setLora ${setLoraMs.at(-1)!.toFixed(1)} ms, swap + first call ${swapMs.at(-1)!.toFixed(1)} ms, reload + first call ${reloadMs.at(-1)!.toFixed(1)} ms`,
  );
}
await swapped.close();
await reloaded.close();

const ratios = swapMs.map((s, i) => reloadMs[i]! / s);
// What each way adds to the call itself, per round (the call's own time is noise-dominated here).
const swapAdds = median(swapMs.map((s, i) => s - steadyMs[i]!));
const reloadAdds = median(reloadMs.map((r, i) => r - steadyMs[i]!));
process.stdout.write(
  `lora-swap bench (smollm2-135m Q8_0, rank-16 q/k/v/o adapters, ${rounds} rounds, load ${loadavg()[0]!.toFixed(1)}): ` +
    `call without swap ${median(steadyMs).toFixed(1)} ms, setLora ${median(setLoraMs).toFixed(1)} ms, swap + first call ${median(swapMs).toFixed(1)} ms, ` +
    `reload + first call ${median(reloadMs).toFixed(1)} ms, reload/swap median ${median(ratios).toFixed(1)}x; ` +
    `added to the call: swap ${swapAdds.toFixed(1)} ms, reload ${reloadAdds.toFixed(1)} ms (${(reloadAdds / Math.max(swapAdds, 1)).toFixed(1)}x)\n`,
);
