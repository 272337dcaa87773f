/**
 * Soak: 10,000 calls over three local replicas that answer 429s and 503s, drop connections and
 * hang at random (seeded), while one replica is killed and later restarted on its port. Every
 * call must come back exactly once with its own answer; a call may fail only after every replica
 * failed it (the killed replica fails every call while it is down). Loopback only, bounded by
 * short timeouts (well under a minute on two quiet cores).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  type OpenAITestServer,
  type PickedFault,
  startOpenAITestServer,
} from "../../../test/support/openai-server.ts";
import { type LoggedAttempt, loggingFetch } from "../../../test/support/replica-fleet.ts";
import { SeededRandom } from "../../math/seeded-random.ts";
import { createOpenAIModel } from "./create-openai-model.ts";

const calls = 10_000;
const inFlightItems = 96;

test("soak: 10,000 calls through faults and a replica restart, each answered exactly once", async () => {
  const random = new SeededRandom(19);
  const pickFault = (): PickedFault | undefined => {
    const r = random.next();
    if (r < 0.02) return { kind: "status", code: 429, retryAfter: "0.05" };
    if (r < 0.04) return { kind: "status", code: 503 };
    if (r < 0.06) return { kind: "reset" };
    if (r < 0.07) return { kind: "hang" };
    return undefined;
  };
  const start = (port?: number) =>
    startOpenAITestServer({
      delayMs: 2,
      recordRequests: false,
      pickFault,
      ...(port !== undefined ? { port } : {}),
    });
  const servers: OpenAITestServer[] = await Promise.all([start(), start(), start()]);
  const victimPort = Number(new URL(servers[1]!.url).port);
  const log: LoggedAttempt[] = [];
  const model = createOpenAIModel({
    baseURL: servers.map((s) => s.url),
    model: "test-model",
    flavor: "vllm",
    concurrency: 32,
    // the servers share this process: a shorter timeout takes a stall of a loaded machine's
    // event loop (seconds, at nice 15 on two busy cores) for a hang and fails calls wholesale
    timeoutMs: 5000,
    retryBaseMs: 10,
    maxBackoffMs: 100,
    overloadTimeoutMs: 30_000,
    balance: { eject: { failures: 3, cooldownMs: 200 } },
    fetch: loggingFetch(log),
  });
  const started = new Map<string, number>();
  const answers = new Map<string, string>();
  const failures = new Map<string, unknown>();
  let finished = 0;
  let next = 0;
  let restarted: OpenAITestServer | undefined;
  /** From the victim's close until its restart listens again. */
  const victimDown = { from: Number.POSITIVE_INFINITY, to: Number.POSITIVE_INFINITY };
  const worker = async () => {
    while (next < calls) {
      const id = `item-${next++}`;
      started.set(id, (started.get(id) ?? 0) + 1);
      try {
        const result = await model.generate({ prompt: `q ${id}`, temperature: 0, routingKey: id });
        assert.ok(!answers.has(id), `${id} answered twice`);
        answers.set(id, result.generations[0]!.text);
      } catch (error) {
        failures.set(id, error);
      }
      finished++;
      if (finished === 3000) {
        victimDown.from = performance.now();
        void servers[1]!.close();
      }
      if (finished === 6000) {
        restarted = await start(victimPort);
        victimDown.to = performance.now();
      }
    }
  };
  const began = performance.now();
  try {
    await Promise.all(Array.from({ length: inFlightItems }, worker));
  } finally {
    await Promise.all([servers[0]!.close(), servers[2]!.close(), restarted?.close()]);
  }
  const seconds = (performance.now() - began) / 1000;

  assert.equal(started.size, calls);
  assert.ok([...started.values()].every((n) => n === 1));
  assert.equal(answers.size + failures.size, calls, "every call came back, once");
  for (const [id, text] of answers) assert.equal(text, ` echo ${id} q`, `${id} got its own answer`);
  // A failed call must have been failed by every replica. The victim, while down, fails every
  // call: it is out of rotation then, so a call is not sent to it while another one is in.
  const origins = new Set(servers.map((s) => new URL(s.url).origin));
  const victim = new URL(servers[1]!.url).origin;
  for (const id of failures.keys()) {
    const attempts = log.filter((a) => a.key === id);
    const failedOn = new Set(attempts.filter((a) => a.outcome !== 200).map((a) => a.origin));
    if (attempts.some((a) => a.sent >= victimDown.from && a.sent < victimDown.to))
      failedOn.add(victim);
    assert.deepEqual(failedOn, origins, `${id} failed while a replica had not failed it`);
  }
  assert.ok(
    failures.size <= calls * 0.001,
    `${failures.size} calls failed, e.g. ${[...failures.values()]
      .slice(0, 5)
      .map((e) => (e as Error).message)
      .join(" | ")}`,
  );
  const posts = log.filter((a) => a.method === "POST");
  const faults = posts.filter((a) => a.outcome !== 200).length;
  assert.ok(faults > calls * 0.05, `faults were injected (${faults})`);
  assert.ok(restarted && restarted.generationRequests > 0, "the restarted replica served again");
  console.log(
    `soak: ${calls} calls, ${posts.length} attempts, ${faults} faulted, ${failures.size} failed, ` +
      `${seconds.toFixed(1)} s`,
  );
});
