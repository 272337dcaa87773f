/**
 * Throughput of the OpenAI-compatible engine's `generate` at concurrency 1, 8 and 32 against the
 * test server answering after a fixed delay. The server runs in a child process so its work does
 * not share the engine's event loop. Overhead per call = mean measured latency - server delay; a
 * bare `fetch` loop at the same concurrency is measured too, so the engine's own share (body
 * building, semaphore, parsing) shows apart from the HTTP stack and a loaded machine.
 *
 *   npm run bench -- http-engine [--delay-ms 20] [--seconds 1.5]
 */
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createOpenAIModel } from "../src/engines/openai/index.ts";
import { startOpenAITestServer } from "../test/support/openai-server.ts";

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== "http-engine"),
  options: {
    serve: { type: "boolean", default: false },
    "delay-ms": { type: "string", default: "20" },
    seconds: { type: "string", default: "1.5" },
  },
});
const delayMs = Number(values["delay-ms"]);
const seconds = Number(values.seconds);

if (values.serve) {
  const server = await startOpenAITestServer({ flavor: "vllm", delayMs });
  process.send?.({ url: server.url });
  process.on("disconnect", () => void server.close().then(() => process.exit(0)));
} else {
  const child = fork(fileURLToPath(import.meta.url), ["--serve", "--delay-ms", String(delayMs)], {
    execArgv: ["--import", "tsx"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once("message", (message) => resolve((message as { url: string }).url));
    child.once("exit", (code) => reject(new Error(`test server exited with ${code}`)));
  });
  const results: Array<{
    concurrency: number;
    rps: number;
    overheadMs: number;
    engineMs: number;
    p50: number;
  }> = [];
  /** Runs `call` from `concurrency` workers for the configured time. */
  const measure = async (call: () => Promise<number>, concurrency: number) => {
    const latencies: number[] = [];
    const started = performance.now();
    const deadline = started + seconds * 1000;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < deadline) latencies.push(await call());
      }),
    );
    return { latencies, elapsed: (performance.now() - started) / 1000 };
  };
  try {
    for (const concurrency of [1, 8, 32]) {
      const model = createOpenAIModel({
        baseURL: url,
        model: "test-model",
        flavor: "vllm",
        concurrency,
      });
      const call = async () => {
        const started = performance.now();
        await model.generate({
          messages: [{ role: "user", content: "hello world" }],
          temperature: 0,
        });
        return performance.now() - started;
      };
      const bare = async () => {
        const started = performance.now();
        const response = await fetch(`${url}/chat/completions`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            model: "test-model",
            messages: [{ role: "user", content: "hello world" }],
            temperature: 0,
          }),
        });
        await response.json();
        return performance.now() - started;
      };
      for (let i = 0; i < concurrency * 2; i++) await call(); // warm connections and JIT
      const baseline = await measure(bare, concurrency);
      const { latencies, elapsed } = await measure(call, concurrency);
      const bareMean = baseline.latencies.reduce((s, x) => s + x, 0) / baseline.latencies.length;
      latencies.sort((a, b) => a - b);
      const mean = latencies.reduce((s, x) => s + x, 0) / latencies.length;
      const result = {
        concurrency,
        engineMs: mean - bareMean,
        rps: latencies.length / elapsed,
        overheadMs: mean - delayMs,
        p50: latencies[Math.floor(latencies.length / 2)] ?? Number.NaN,
      };
      results.push(result);
      console.log(
        `concurrency ${String(concurrency).padStart(2)}: ${latencies.length} calls in ${elapsed.toFixed(2)} s, ` +
          `${result.rps.toFixed(1)} req/s, mean latency ${mean.toFixed(2)} ms, p50 ${result.p50.toFixed(2)} ms, ` +
          `overhead ${result.overheadMs.toFixed(2)} ms/call (bare fetch: ${bareMean.toFixed(2)} ms, ` +
          `${(baseline.latencies.length / baseline.elapsed).toFixed(1)} req/s)`,
      );
    }
  } finally {
    child.disconnect();
  }
  // The engine's own CPU per call, without sockets: a fetch that answers from memory.
  const canned = JSON.stringify({
    choices: [{ index: 0, message: { content: " echo world hello" }, finish_reason: "stop" }],
    usage: { prompt_tokens: 5, completion_tokens: 3 },
  });
  const inMemory = (async () => new Response(canned, { status: 200 })) as typeof fetch;
  const offline = createOpenAIModel({
    baseURL: "http://127.0.0.1:9/v1",
    model: "test-model",
    flavor: "vllm",
    fetch: inMemory,
  });
  const cpuCalls = 3000;
  const cpuCall = () =>
    offline.generate({ messages: [{ role: "user", content: "hello world" }], temperature: 0 });
  for (let i = 0; i < 500; i++) await cpuCall();
  const cpuStarted = performance.now();
  for (let i = 0; i < cpuCalls; i++) await cpuCall();
  const engineUs = ((performance.now() - cpuStarted) / cpuCalls) * 1000;
  const bareStarted = performance.now();
  for (let i = 0; i < cpuCalls; i++) await (await inMemory("x")).json();
  const bareUs = ((performance.now() - bareStarted) / cpuCalls) * 1000;
  console.log(
    `in-memory fetch: ${engineUs.toFixed(1)} us per generate vs ${bareUs.toFixed(1)} us for the ` +
      "bare response (engine work: request building, semaphore, timer, parsing)",
  );
  console.log(
    `http-engine (server delay ${delayMs} ms): ` +
      results.map((r) => `c=${r.concurrency} ${r.rps.toFixed(0)} req/s`).join(", ") +
      "; overhead per call " +
      results.map((r) => `c=${r.concurrency} ${r.overheadMs.toFixed(2)} ms`).join(", ") +
      " (engine's share over bare fetch: " +
      results.map((r) => `${r.engineMs.toFixed(2)} ms`).join(", ") +
      `); engine CPU per call ${(engineUs - bareUs).toFixed(0)} us`,
  );
}
