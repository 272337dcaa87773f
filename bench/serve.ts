/**
 * `npm run bench -- serve`: what `chorus serve` costs. Greedy generation of the same prompt with a
 * random SmolLM2-135M-shaped GGUF (Q8_0, written by src/gguf into the OS temp dir and reused),
 * in-process vs through the server (node:http, JSON, chorus's OpenAI engine as the client).
 * Env: BENCH_TOKENS (default 48), BENCH_ROUNDS (4), BENCH_PRESET (smollm2-135m; "tiny" is quick).
 * Goal: served / direct ≥ 0.95 tokens/s. Rounds alternate so machine load hits both sides alike.
 */

import { loadavg } from "node:os";
import { loadLlamaCppModel } from "../src/engines/llamacpp/index.ts";
import { createOpenAIModel } from "../src/engines/openai/index.ts";
import type { ModelPreset } from "../src/gguf/index.ts";
import type { GenerateRequest, LanguageModel } from "../src/model/index.ts";
import { createChorusServer } from "../src/server/index.ts";
import { benchModelFile, median } from "./support/bench-model.ts";

const tokens = Number(process.env.BENCH_TOKENS ?? 48);
const rounds = Number(process.env.BENCH_ROUNDS ?? 4);
const preset = (process.env.BENCH_PRESET ?? "smollm2-135m") as ModelPreset;
const log = (line: string) => process.stderr.write(`${line}\n`);

const file = await benchModelFile(preset);

const local = await loadLlamaCppModel({
  modelPath: file,
  id: "bench",
  threads: 1,
  contextSize: 512,
});
const server = createChorusServer({ models: { bench: local } });
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

try {
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
  process.stdout.write(
    `serve ${preset}: served/direct = ${(s / d).toFixed(3)} (goal >= 0.95; ${s.toFixed(1)} vs ${d.toFixed(1)} tok/s)\n`,
  );
} finally {
  await server.close();
  await local.close?.();
}
