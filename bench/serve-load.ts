/**
 * `npm run bench -- serve-load [requests] [concurrency]`: `chorus serve` under a loopback load
 * (defaults 5,000 requests on 32 keep-alive connections) with the test's request mix: a quarter
 * malformed, oversized or misrouted. The model is a ScriptedModel, so the figures are the
 * server's own cost (HTTP, JSON, validation, routing), not a model's. Prints requests/s, p50 and
 * p99 latency of the valid requests, the status counts, and the server's heap and RSS growth.
 */

import { createChorusServer } from "../src/server/index.ts";
import { ScriptedModel } from "../src/testing/index.ts";
import { quantile, runLoad, statusCounts } from "../test/support/http-load.ts";
import { serveRequestMix } from "../test/support/serve-requests.ts";

const count = Number(process.argv[3] ?? 5000);
const concurrency = Number(process.argv[4] ?? 32);
const maxBodyBytes = 64 * 1024;
const model = new ScriptedModel({
  id: "scripted",
  script: () => ({ generations: [{ text: "a short answer", finishReason: "stop" as const }] }),
});
const server = createChorusServer({ models: { scripted: model }, maxBodyBytes });
const origin = new URL(await server.listen()).origin;
const requests = serveRequestMix(count, "scripted", maxBodyBytes, 11);
await runLoad(origin, requests.slice(0, Math.min(200, count / 5)), concurrency); // warm-up
const before = process.memoryUsage();
const started = performance.now();
const results = await runLoad(origin, requests, concurrency, 60_000);
const seconds = (performance.now() - started) / 1000;
const after = process.memoryUsage();
await server.close();
const valid = results.filter((r) => r.status === 200).map((r) => r.ms);
const counts = statusCounts(results);
const fivexx = Object.entries(counts)
  .filter(([status]) => Number(status) >= 500 || Number.isNaN(Number(status)))
  .reduce((sum, [, n]) => sum + n, 0);
const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
process.stderr.write(`statuses: ${JSON.stringify(counts)}\n`);
process.stdout.write(
  `serve-load: ${count} requests, concurrency ${concurrency}: ${(count / seconds).toFixed(0)} req/s; ` +
    `valid p50 ${quantile(valid, 0.5).toFixed(1)} ms, p99 ${quantile(valid, 0.99).toFixed(1)} ms; ` +
    `5xx or resets: ${fivexx}; heap +${mib(after.heapUsed - before.heapUsed)} MiB, ` +
    `rss +${mib(after.rss - before.rss)} MiB\n`,
);
