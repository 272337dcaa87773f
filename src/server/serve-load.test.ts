import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { runLoad, statusCounts } from "../../test/support/http-load.ts";
import { expectedStatuses, serveRequestMix } from "../../test/support/serve-requests.ts";
import { ScriptedModel } from "../testing/scripted-model.ts";
import { type ChorusServer, createChorusServer } from "./chorus-server.ts";

// chorus serve under a bounded loopback load: 600 requests on 8 keep-alive connections, a
// quarter of them malformed, oversized or misrouted. No request may get a 5xx or a reset; each
// gets the status of its kind; the heap after the run is back near where it started.

const maxBodyBytes = 16 * 1024;
const model = new ScriptedModel({
  id: "scripted",
  script: () => ({ generations: [{ text: "a short answer", finishReason: "stop" as const }] }),
});
let server: ChorusServer;
let origin: string;

before(async () => {
  server = createChorusServer({ models: { scripted: model }, maxBodyBytes });
  origin = new URL(await server.listen()).origin;
});
after(async () => {
  await server.close();
});

function collectGarbage(): void {
  setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as () => void)();
}

test("600 mixed requests: no 5xx, every refusal clean, heap bounded", async () => {
  const requests = serveRequestMix(600, "scripted", maxBodyBytes, 7);
  await runLoad(origin, requests.slice(0, 50), 4); // warm-up: JIT, first allocations
  collectGarbage();
  const heapBefore = process.memoryUsage().heapUsed;
  // a generous per-request limit: the point is no hang, not speed (the bench measures that)
  const results = await runLoad(origin, requests, 8, 120_000);
  collectGarbage();
  const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
  const counts = statusCounts(results);
  const wrong = results.filter((r) => !expectedStatuses(r.kind).includes(r.status ?? -1));
  assert.deepEqual(
    wrong.slice(0, 5).map((r) => `${r.kind}: ${r.status ?? r.error} ${r.body.slice(0, 200)}`),
    [],
    JSON.stringify(counts),
  );
  for (const r of results.filter((r) => r.status !== 200)) {
    const body = JSON.parse(r.body) as { error?: { message?: string } };
    assert.ok(body.error?.message, `${r.kind}: an OpenAI-shaped error, got ${r.body}`);
  }
  assert.ok(
    Object.keys(counts).every((status) => Number(status) < 500),
    JSON.stringify(counts),
  );
  assert.ok(heapGrowth < 32 * 2 ** 20, `heap grew by ${(heapGrowth / 2 ** 20).toFixed(1)} MiB`);
});
