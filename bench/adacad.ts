/**
 * `npm run bench -- adacad`: tokens/s of AdaCAD (two lockstep decoder streams, JSD over the full
 * vocabulary, logit combination, argmax) vs plain greedy `generate` on the same model: a random
 * GGUF with the shape of SmolLM2-135M (Q8_0, 49,152-token vocabulary) written by src/gguf into the
 * OS temp dir and reused. Goal: AdaCAD ≥ 0.45× greedy, i.e. about the cost of two decodes.
 *
 * Runs alternate (greedy, CAD, AdaCAD, greedy, ...) and the summary uses the median of the
 * per-round ratios, so load from other processes hits both sides alike.
 * Env: BENCH_TOKENS (default 48), BENCH_ROUNDS (default 5).
 */

import { loadLlamaCppModel } from "../src/engines/llamacpp/index.ts";
import { contextDecode } from "../src/methods/adacad/context-decode.ts";
import { qaPrompts } from "../src/methods/adacad/context-prompts.ts";
import { benchModelFile, median } from "./support/bench-model.ts";

const tokens = Number(process.env.BENCH_TOKENS ?? 48);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const log = (line: string) => process.stderr.write(`${line}\n`);

/** CPU milliseconds (all threads of this process) per generated token, per method. */
const cpuPerToken: Record<string, number[]> = {};

async function timed(run: () => Promise<number>, name = ""): Promise<number> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const produced = await run();
  const used = process.cpuUsage(cpu);
  if (name) {
    const samples = cpuPerToken[name] ?? [];
    samples.push((used.user + used.system) / 1000 / produced);
    cpuPerToken[name] = samples;
  }
  return produced / ((performance.now() - started) / 1000);
}

/** Decode-phase tokens/s of a contextDecode run (prefill excluded). */
async function decodeRate(
  request: Parameters<typeof contextDecode>[1],
  decoding: Parameters<typeof contextDecode>[2],
): Promise<number> {
  const result = await contextDecode(model, request, decoding);
  const ms = result.timings?.decodeMs ?? Number.NaN;
  // The last token is chosen without a push, so steps − 1 evaluations were timed.
  return (result.tokens.length - 1) / (ms / 1000);
}

const model = await loadLlamaCppModel({ modelPath: await benchModelFile(), gpu: false });
/**
 * A different context every run, as over a dataset: the engine's generate reuses a cached prompt
 * prefix, so repeating one prompt would time greedy without its prefill but AdaCAD with both.
 */
const requestFor = (run: number) => ({
  ...qaPrompts(
    `Record ${run}: the lighthouse on the northern cape was built in 1871 by a shipping company from Bergen and painted red in 1902.`,
    "When was the lighthouse painted red?",
  ),
  maxTokens: tokens,
});
let runs = 0;
try {
  const greedy = (run: number) =>
    timed(
      async () =>
        (
          await model.generate({
            prompt: requestFor(run).contextPrompt,
            maxTokens: tokens,
            temperature: 0,
          })
        ).usage.outputTokens,
      "greedy",
    );
  const cad = (run: number) =>
    timed(
      async () =>
        (await contextDecode(model, requestFor(run), { kind: "cad", alpha: 1 })).tokens.length,
    );
  const adacad = (run: number) =>
    timed(
      async () => (await contextDecode(model, requestFor(run), { kind: "adacad" })).tokens.length,
      "adacad",
    );
  await greedy(runs);
  await adacad(runs++);
  const rows: Array<{
    greedy: number;
    cad: number;
    adacad: number;
    stepGreedy: number;
    stepAdacad: number;
  }> = [];
  for (let r = 0; r < rounds; r++) {
    const run = runs++;
    const row = {
      greedy: await greedy(run),
      cad: await cad(run),
      adacad: await adacad(run),
      stepGreedy: await decodeRate(requestFor(run), { kind: "greedy" }),
      stepAdacad: await decodeRate(requestFor(run), { kind: "adacad" }),
    };
    rows.push(row);
    log(
      `round ${r + 1}: greedy ${row.greedy.toFixed(1)}, CAD ${row.cad.toFixed(1)}, AdaCAD ${row.adacad.toFixed(1)} tok/s; decode phase only: greedy stream ${row.stepGreedy.toFixed(1)}, AdaCAD ${row.stepAdacad.toFixed(1)} tok/s`,
    );
  }
  const decodeRatio = median(rows.map((r) => r.stepAdacad / r.stepGreedy));
  const g = median(rows.map((r) => r.greedy));
  const a = median(rows.map((r) => r.adacad));
  const c = median(rows.map((r) => r.cad));
  const ratio = median(rows.map((r) => r.adacad / r.greedy));
  log(
    `model: random SmolLM2-135M shape, Q8_0; ${tokens} tokens per run incl. prefill, a new context each run; medians of ${rounds} rounds`,
  );
  log(`greedy generate ${g.toFixed(1)} tok/s; CAD ${c.toFixed(1)}; AdaCAD ${a.toFixed(1)}`);
  log(
    `decode phase only (no prefill), AdaCAD vs one greedy decoder stream: ${decodeRatio.toFixed(2)}×`,
  );
  const cpuG = median(cpuPerToken["greedy"] ?? []);
  const cpuA = median(cpuPerToken["adacad"] ?? []);
  log(
    `CPU per token (all threads; independent of other processes' load): greedy ${cpuG.toFixed(1)} ms, AdaCAD ${cpuA.toFixed(1)} ms, ratio ${(cpuG / cpuA).toFixed(2)}×`,
  );
  process.stdout.write(
    `adacad: AdaCAD ${a.toFixed(1)} tok/s vs greedy ${g.toFixed(1)} tok/s, ratio ${ratio.toFixed(2)}× (goal ≥ 0.45×) ${ratio >= 0.45 ? "PASS" : "MISS"}; decode phase ${decodeRatio.toFixed(2)}×\n`,
  );
} finally {
  await model.close?.();
}
