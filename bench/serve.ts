/**
 * `npm run bench -- serve`: what `chorus serve` costs. Greedy generation of the same prompt with a
 * random SmolLM2-135M-shaped GGUF (Q8_0, written by src/gguf into the OS temp dir and reused),
 * in-process vs through the server (node:http, JSON, chorus's OpenAI engine as the client).
 * Env: BENCH_TOKENS (default 48), BENCH_ROUNDS (4), BENCH_PRESET (smollm2-135m; "tiny" is quick).
 * Goal: served / direct ≥ 0.95 tokens/s. Rounds alternate so machine load hits both sides alike.
 * Then streaming: time to the first streamed text vs the whole answer for a 64-token greedy
 * generation (BENCH_STREAM_TOKENS) through the server, on stories260K and on the preset model.
 */

import { existsSync } from "node:fs";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { loadLlamaCppModel } from "../src/engines/llamacpp/index.ts";
import { createOpenAIModel } from "../src/engines/openai/index.ts";
import type { ModelPreset } from "../src/gguf/index.ts";
import type { GenerateRequest, LanguageModel } from "../src/model/index.ts";
import { createChorusServer } from "../src/server/index.ts";
import { benchModelFile, median } from "./support/bench-model.ts";

const tokens = Number(process.env.BENCH_TOKENS ?? 48);
const rounds = Number(process.env.BENCH_ROUNDS ?? 4);
const preset = (process.env.BENCH_PRESET ?? "smollm2-135m") as ModelPreset;
const streamTokens = Number(process.env.BENCH_STREAM_TOKENS ?? 64);
const stories = fileURLToPath(new URL("../../shared/models/stories260K.gguf", import.meta.url));
const log = (line: string) => process.stderr.write(`${line}\n`);

const file = await benchModelFile(preset);

const local = await loadLlamaCppModel({
  modelPath: file,
  id: "bench",
  threads: 1,
  contextSize: 512,
});
const storiesModel = existsSync(stories)
  ? await loadLlamaCppModel({ modelPath: stories, id: "stories", threads: 1, contextSize: 256 })
  : undefined;
const server = createChorusServer({
  models: storiesModel ? { bench: local, stories: storiesModel } : { bench: local },
});
const baseURL = await server.listen();
const remote = createOpenAIModel({ baseURL, model: "bench", maxRetries: 0, flavor: "openai" });
const request: GenerateRequest = {
  prompt: "The quick brown fox jumps over the lazy dog and",
  maxTokens: tokens,
  temperature: 0,
};

async function tokensPerSecond(model: LanguageModel): Promise<number> {
  const started = performance.now();
  const result = await model.generate(request);
  return result.usage.outputTokens / ((performance.now() - started) / 1000);
}

/** Medians over rounds of: first streamed text, whole streamed answer, whole unstreamed answer (ms). */
async function streamTimes(model: string) {
  const client = createOpenAIModel({ baseURL, model, maxRetries: 0, flavor: "openai" });
  const streamed: GenerateRequest = {
    prompt: "Once upon a time",
    maxTokens: streamTokens,
    temperature: 0,
  };
  const first: number[] = [];
  const whole: number[] = [];
  const plain: number[] = [];
  let chunks = 0;
  let outputTokens = 0;
  for (let round = -1; round < rounds; round++) {
    let started = performance.now();
    let firstAt = 0;
    chunks = 0;
    const result = await client.generate({
      ...streamed,
      onText: () => {
        if (chunks++ === 0) firstAt = performance.now() - started;
      },
    });
    const wholeAt = performance.now() - started;
    outputTokens = result.usage.outputTokens;
    started = performance.now();
    await client.generate(streamed);
    if (round < 0) continue; // warm-up
    plain.push(performance.now() - started);
    first.push(firstAt);
    whole.push(wholeAt);
  }
  const [f, w, p] = [median(first), median(whole), median(plain)];
  log(
    `stream ${model}: ${outputTokens} tokens in ${chunks} chunks; first text ${f.toFixed(1)} ms, ` +
      `whole streamed ${w.toFixed(1)} ms, unstreamed ${p.toFixed(1)} ms`,
  );
  return { first: f, whole: w, plain: p };
}

try {
  const storiesStream = storiesModel ? await streamTimes("stories") : undefined;
  const presetStream = await streamTimes("bench");
  await tokensPerSecond(local);
  await tokensPerSecond(remote);
  const direct: number[] = [];
  const served: number[] = [];
  for (let round = 0; round < rounds; round++) {
    direct.push(await tokensPerSecond(local));
    served.push(await tokensPerSecond(remote));
  }
  const [d, s] = [median(direct), median(served)];
  log(
    `preset ${preset}, ${tokens} tokens x ${rounds} rounds, load average ${loadavg()[0]!.toFixed(2)}`,
  );
  log(`direct  ${d.toFixed(1)} tok/s  (rounds: ${direct.map((v) => v.toFixed(1)).join(", ")})`);
  log(`served  ${s.toFixed(1)} tok/s  (rounds: ${served.map((v) => v.toFixed(1)).join(", ")})`);
  const ttft = (t: { first: number; whole: number }, name: string) =>
    `${name} first ${t.first.toFixed(1)} of ${t.whole.toFixed(1)} ms`;
  const streaming = [
    ...(storiesStream ? [ttft(storiesStream, "stories260K")] : []),
    ttft(presetStream, preset),
  ].join(", ");
  process.stdout.write(
    `serve ${preset}: served/direct = ${(s / d).toFixed(3)} (goal >= 0.95; ${s.toFixed(1)} vs ${d.toFixed(1)} tok/s); ` +
      `streamed ${streamTokens} tokens: ${streaming}\n`,
  );
} finally {
  await server.close();
  await local.close?.();
  await storiesModel?.close?.();
}
