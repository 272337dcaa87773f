/**
 * `npm run bench -- steer`: tokens/s of MAT-Steer-steered generation (3 attributes, gated,
 * norm-preserving, every position) vs unsteered generation on the same internals path, greedy.
 * Model: a random GGUF with SmolLM2-135M's shape (Q8_0, d = 576), written by src/gguf into the OS
 * temp dir and shared with the AdaCAD bench; BENCH_MODEL=<gguf> uses another file.
 * Rounds alternate unsteered / steered and the summary is the median per-round ratio, so load
 * from other processes hits both sides alike. Goal: steered ≥ 0.9× unsteered.
 * Env: BENCH_TOKENS (default 48), BENCH_ROUNDS (default 5).
 */

import { loadLlamaCppModel } from "../src/engines/llamacpp/index.ts";
import { SeededRandom } from "../src/math/seeded-random.ts";
import { steeringIntervention } from "../src/methods/mat-steer/steer-intervention.ts";
import { defaultSteeringLayer } from "../src/methods/mat-steer/steering-site.ts";
import { initSteerer } from "../src/methods/mat-steer/train.ts";
import { requireInternals } from "../src/model/index.ts";
import { benchModelFile, median } from "./support/bench-model.ts";

const tokens = Number(process.env.BENCH_TOKENS ?? 48);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const log = (line: string) => process.stderr.write(`${line}\n`);
const path = process.env.BENCH_MODEL ?? (await benchModelFile());
const model = await loadLlamaCppModel({ modelPath: path, gpu: false });
const internals = requireInternals(model);
const steerer = initSteerer(["a", "b", "c"], internals.nEmbd, new SeededRandom(1), {
  multiplier: 1,
  normPreserve: true,
});
const site = { layer: defaultSteeringLayer(internals.nLayers), positions: "all" as const };
const intervention = steeringIntervention(steerer, site, internals.nLayers);
const request = {
  prompt: "Once upon a time, there was a little",
  maxTokens: tokens,
  temperature: 0,
};

async function timed(steered: boolean): Promise<number> {
  const start = performance.now();
  const r = await internals.generate({
    ...request,
    ...(steered ? { interventions: [intervention] } : {}),
  });
  return r.usage.outputTokens / ((performance.now() - start) / 1000);
}

await timed(false);
await timed(true);
const rows: { plain: number; steered: number }[] = [];
for (let i = 0; i < rounds; i++) {
  const plain = await timed(false);
  const steered = await timed(true);
  rows.push({ plain, steered });
  log(`round ${i + 1}: unsteered ${plain.toFixed(1)} tok/s, steered ${steered.toFixed(1)} tok/s`);
}
await model.close?.();
const ratio = median(rows.map((r) => r.steered / r.plain));
log(`model: ${path}; ${tokens} tokens per run incl. prefill; medians of ${rounds} rounds`);
console.log(
  `steer: unsteered ${median(rows.map((r) => r.plain)).toFixed(1)} tok/s, steered ${median(rows.map((r) => r.steered)).toFixed(1)} tok/s, ratio ${ratio.toFixed(2)}× (goal ≥ 0.90×) ${ratio >= 0.9 ? "PASS" : "MISS"}`,
);
